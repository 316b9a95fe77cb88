#include "tools/tool_result.hpp"

#include <string>

namespace blender_bus::tools {

mcp::ToolResult store_failure_result(std::string_view what) {
  boost::json::object result;
  result["status"] = "error";
  result["error"] = "store_unavailable: " + std::string(what);
  return mcp::ToolResult::json(std::move(result), true);
}

mcp::ToolResult settled_result(const delivery::Settled& settled, std::string_view what_failed) {
  if (!settled.stored) return store_failure_result(what_failed);
  // Its object as text JSON and structuredContent, isError when the call
  // was refused over a limit.
  return mcp::ToolResult::json(settled.result, settled.rejected);
}

}  // namespace blender_bus::tools
