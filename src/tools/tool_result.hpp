#pragma once

#include <string_view>

#include "bus/outcome.hpp"
#include "mcp/tool_registry.hpp"

namespace blender_bus::tools {

// The tool result of a bus outcome: its object as text JSON and
// structuredContent, isError when the bus refused the call over a limit.
mcp::ToolResult to_tool_result(const bus::Outcome& outcome);

// The answer when the store could not commit what a call changed (the hub
// withdrew it): {"status":"error","error":"store_unavailable: <what>"}, isError.
mcp::ToolResult store_failure_result(std::string_view what);

}  // namespace blender_bus::tools
