#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <stdexcept>

#include "mcp/resource_registry.hpp"
#include "mcp/tool_registry.hpp"

namespace blender_bus::mcp {
namespace {

namespace json = boost::json;

ResourceDefinition resource(std::string uri, std::vector<std::string> aliases = {}) {
  return ResourceDefinition{std::move(uri),     "name",  "description",
                            "application/json", nullptr, std::move(aliases)};
}

TEST(ResourceRegistry, AnAliasFindsTheResourceButIsNotListed) {
  ResourceRegistry registry;
  registry.add(resource("blender+blender://bus/stats", {"blender://bus/stats"}));
  const ResourceDefinition* listed = registry.find("blender+blender://bus/stats");
  ASSERT_NE(listed, nullptr);
  EXPECT_EQ(registry.find("blender://bus/stats"), listed);
  EXPECT_EQ(registry.find("blender://bus/clients"), nullptr);
  const json::array list = registry.list();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("uri"), "blender+blender://bus/stats");
}

TEST(ResourceRegistry, AUriTakenTwiceIsRefused) {
  ResourceRegistry registry;
  registry.add(resource("a://x", {"b://x"}));
  EXPECT_THROW(registry.add(resource("b://x")), std::logic_error);
  EXPECT_THROW(registry.add(resource("c://x", {"a://x"})), std::logic_error);
  EXPECT_THROW(registry.add(resource("d://x", {"d://x"})), std::logic_error);
  EXPECT_EQ(registry.size(), 1u);
  EXPECT_EQ(registry.find("c://x"), nullptr);
}

TEST(ToolResult, JsonIsFastMcpsWrappedStrResult) {
  const auto result = ToolResult::json(json::object{{"status", "ok"}, {"t", 1796125004.967525}});
  EXPECT_EQ(json::serialize(result.body),
            R"({"content":[{"type":"text","text":"{\"status\":\"ok\",\"t\":1796125004.967525}"}],)"
            R"("structuredContent":{"result":"{\"status\":\"ok\",\"t\":1796125004.967525}"}})");
  const auto refused = ToolResult::json(json::object{{"status", "error"}}, true);
  EXPECT_EQ(refused.body.at("isError"), true);
}

TEST(ToolRegistry, OutputSchemaIsListedWhenDeclared) {
  ToolRegistry registry;
  registry.add(ToolDefinition{"plain", "d", json::object{{"type", "object"}}, nullptr});
  registry.add(ToolDefinition{"wrapped", "d", json::object{{"type", "object"}}, nullptr,
                              text_result_output_schema()});
  const json::array list = registry.list();
  EXPECT_EQ(list[0].as_object().if_contains("outputSchema"), nullptr);
  EXPECT_EQ(json::serialize(list[1].at("outputSchema")),
            R"({"type":"object","properties":{"result":{"type":"string"}},)"
            R"("required":["result"],"x-fastmcp-wrap-result":true})");
}

}  // namespace
}  // namespace blender_bus::mcp
