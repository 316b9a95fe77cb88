#pragma once

#include "bus/outcome.hpp"
#include "mcp/tool_registry.hpp"

namespace blender_bus::tools {

// The tool result of a bus outcome: its object as text JSON and
// structuredContent, isError when the bus refused the call over a limit.
mcp::ToolResult to_tool_result(const bus::Outcome& outcome);

}  // namespace blender_bus::tools
