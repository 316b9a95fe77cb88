#include "tools/tool_result.hpp"

#include <string>

namespace blender_bus::tools {

mcp::ToolResult to_tool_result(const delivery::embedded::Outcome& outcome) {
  return mcp::ToolResult::json(outcome.result, outcome.rejected);
}

mcp::ToolResult store_failure_result(std::string_view what) {
  boost::json::object result;
  result["status"] = "error";
  result["error"] = "store_unavailable: " + std::string(what);
  return mcp::ToolResult::json(std::move(result), true);
}

mcp::ToolResult settled_result(const delivery::Settled& settled, std::string_view what_failed) {
  if (!settled.stored) return store_failure_result(what_failed);
  return to_tool_result(settled.outcome);
}

}  // namespace blender_bus::tools
