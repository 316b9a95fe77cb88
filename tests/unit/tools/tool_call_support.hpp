#pragma once

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "mcp/call_context.hpp"
#include "mcp/schema_validator.hpp"
#include "mcp/tool_registry.hpp"

namespace blender_bus::tools::test {

// Runs a tool as the dispatcher would: its schema first, then its handler,
// on `io` until it answers. Returns the CallToolResult body.
inline boost::json::object call_tool(boost::asio::io_context& io, const mcp::ToolRegistry& tools,
                                     const mcp::SessionPtr& session, std::string_view name,
                                     boost::json::object args) {
  const auto* tool = tools.find(name);
  if (tool == nullptr) return mcp::ToolResult::error("no tool " + std::string(name)).body;
  if (auto violation = mcp::validate_against_schema(args, tool->input_schema)) {
    return mcp::ToolResult::error(*violation).body;
  }
  mcp::CallContext ctx{session, io.get_executor()};
  auto future = boost::asio::co_spawn(io, tool->handler(ctx, args), boost::asio::use_future);
  io.restart();
  io.run();
  return future.get().body;
}

// The JSON text a bus tool answered, after checking that structuredContent
// wraps the same text as FastMCP does ({"result": <text>}).
inline std::string text_of(const boost::json::object& result) {
  const boost::json::value& text = result.at("content").at(0).at("text");
  EXPECT_EQ(result.at("structuredContent"), (boost::json::object{{"result", text}}));
  return std::string(text.as_string());
}

// A bus tool's answer, parsed.
inline boost::json::object structured(const boost::json::object& result) {
  return boost::json::parse(text_of(result)).as_object();
}

}  // namespace blender_bus::tools::test
