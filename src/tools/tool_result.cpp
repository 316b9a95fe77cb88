#include "tools/tool_result.hpp"

namespace blender_bus::tools {

mcp::ToolResult to_tool_result(const bus::Outcome& outcome) {
  return mcp::ToolResult::json(outcome.result, outcome.rejected);
}

}  // namespace blender_bus::tools
