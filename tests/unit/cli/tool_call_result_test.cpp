#include "cli/tool_call_result.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace blender_bus::cli {
namespace {

namespace json = boost::json;

TEST(ToolCallResult, FastMcpsWrappedTextIsUnwrappedAndParsed) {
  const std::string text = R"({"status":"ok","connected_at":1796125004.967525})";
  const auto read = read_tool_call_result(
      json::object{{"content", json::array{{{"type", "text"}, {"text", text}}}},
                   {"structuredContent", {{"result", text}}}});
  EXPECT_EQ(read.text, text);
  ASSERT_TRUE(read.value.is_object());
  EXPECT_EQ(read.value.at("status"), "ok");
  EXPECT_EQ(read.value.at("connected_at").as_double(), 1796125004.967525);
  EXPECT_FALSE(read.is_error);
}

TEST(ToolCallResult, AWrappedTextThatIsNotJsonIsKeptAsAString) {
  const auto read = read_tool_call_result(
      json::object{{"content", json::array{{{"type", "text"}, {"text", "done"}}}},
                   {"structuredContent", {{"result", "done"}}}});
  EXPECT_EQ(read.value, json::value("done"));
}

TEST(ToolCallResult, OtherStructuredContentIsTakenAsItIs) {
  const auto read = read_tool_call_result(
      json::object{{"content", json::array{{{"type", "text"}, {"text", "2 items"}}}},
                   {"structuredContent", {{"result", "a"}, {"count", 2}}}});
  EXPECT_EQ(read.value, (json::value{{"result", "a"}, {"count", 2}}));
  EXPECT_EQ(read.text, "2 items");
}

TEST(ToolCallResult, WithoutStructuredContentTheTextIsParsed) {
  const auto read = read_tool_call_result(json::object{
      {"content", json::array{{{"type", "text"}, {"text", R"({"n":1})"}}}}, {"isError", true}});
  EXPECT_EQ(read.value, (json::value{{"n", 1}}));
  EXPECT_TRUE(read.is_error);
  const auto plain = read_tool_call_result(
      json::object{{"content", json::array{{{"type", "text"}, {"text", "Invalid arguments"}}}}});
  EXPECT_EQ(plain.value, json::value("Invalid arguments"));
}

TEST(ToolCallResult, NotACallToolResultThrows) {
  EXPECT_THROW(read_tool_call_result(json::value(1)), std::invalid_argument);
  EXPECT_THROW(read_tool_call_result(json::object{{"structuredContent", {}}}),
               std::invalid_argument);
}

}  // namespace
}  // namespace blender_bus::cli
