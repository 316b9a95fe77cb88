#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "mcp/call_context.hpp"

namespace blender_bus::mcp {

// A CallToolResult (MCP): {"content":[…], "structuredContent"?, "isError"?}.
struct ToolResult {
  boost::json::object body;

  // First content item {"type":"text","text":<value serialized>}; the same
  // object also as structuredContent (SPEC §5).
  static ToolResult json(boost::json::object value, bool is_error = false);
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
};

// Tools by name. Filled at start-up, read-only afterwards (no lock needed).
class ToolRegistry {
 public:
  void add(ToolDefinition tool);
  const ToolDefinition* find(std::string_view name) const;
  boost::json::array list() const;  // tools/list "tools" entries
  std::size_t size() const { return tools_.size(); }

 private:
  std::map<std::string, ToolDefinition, std::less<>> tools_;
};

}  // namespace blender_bus::mcp
