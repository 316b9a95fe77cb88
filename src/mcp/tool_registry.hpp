#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mcp/call_context.hpp"

namespace blender_bus::mcp {

// A CallToolResult (MCP): {"content":[…], "structuredContent"?, "isError"?}.
struct ToolResult {
  boost::json::object body;

  // What FastMCP (>= 2.10) answers for a tool that returns a str holding
  // JSON (SPEC §5): the first content item {"type":"text","text":<value as
  // JSON text>} and structuredContent {"result":<the same text>}, which
  // text_result_output_schema() describes. Costs one serialization and a
  // copy of the text for each of the two places.
  static ToolResult json(const boost::json::object& value, bool is_error = false);
  // A plain text error result (isError: true), e.g. schema violations.
  static ToolResult error(std::string message);
};

using ToolHandler =
    std::function<boost::asio::awaitable<ToolResult>(CallContext&, const boost::json::object&)>;

struct ToolDefinition {
  std::string name;
  std::string description;
  // JSON Schema (object). The dispatcher validates arguments against it before
  // calling the handler; a violation becomes an isError result naming the field.
  boost::json::object input_schema;
  ToolHandler handler;
  // JSON Schema of structuredContent, listed as outputSchema; empty: none.
  boost::json::object output_schema = {};
};

// FastMCP's outputSchema for a tool that returns a str:
// {"type":"object","properties":{"result":{"type":"string"}},"required":["result"],
//  "x-fastmcp-wrap-result":true}.
boost::json::object text_result_output_schema();

// Tools by name. Filled at start-up, read-only afterwards (no lock needed).
class ToolRegistry {
 public:
  void add(ToolDefinition tool);
  const ToolDefinition* find(std::string_view name) const;
  boost::json::array list() const;  // tools/list "tools" entries
  std::vector<std::string> names() const;
  std::size_t size() const { return tools_.size(); }

 private:
  std::map<std::string, ToolDefinition, std::less<>> tools_;
};

}  // namespace blender_bus::mcp
