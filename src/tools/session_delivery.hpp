#pragma once

#include <vector>

#include "bus/delivery.hpp"
#include "bus/outcome.hpp"
#include "mcp/session_registry.hpp"
#include "mcp/tool_registry.hpp"

namespace blender_bus::tools {

// Pushes each record onto its target's session queue, when that session is
// live and its logging/setLevel threshold admits the level. Returns how many
// were pushed.
std::size_t deliver(std::vector<bus::Delivery> deliveries, mcp::SessionRegistry& sessions);

// The tool result of a bus outcome: its object as text JSON and
// structuredContent, isError when the bus refused the call over a limit.
mcp::ToolResult to_tool_result(const bus::Outcome& outcome);

}  // namespace blender_bus::tools
