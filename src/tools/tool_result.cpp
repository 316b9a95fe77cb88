#include "tools/tool_result.hpp"

#include <string>

namespace blender_bus::tools {

mcp::ToolResult to_tool_result(const bus::Outcome& outcome) {
  return mcp::ToolResult::json(outcome.result, outcome.rejected);
}

mcp::ToolResult store_failure_result(std::string_view what) {
  boost::json::object result;
  result["status"] = "error";
  result["error"] = "store_unavailable: " + std::string(what);
  return mcp::ToolResult::json(std::move(result), true);
}

}  // namespace blender_bus::tools
