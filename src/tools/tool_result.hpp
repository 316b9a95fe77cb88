#pragma once

#include <string_view>

#include "delivery/bus_service.hpp"
#include "mcp/tool_registry.hpp"

namespace blender_bus::tools {

// The answer when the store could not commit what a call changed (the
// service withdrew it): {"status":"error","error":"store_unavailable: <what>"},
// isError.
mcp::ToolResult store_failure_result(std::string_view what);

// The one epilogue of every tool that changes a bus: the settled call's
// result, or, when its change could not be stored, the store failure that
// says `what_failed`.
mcp::ToolResult settled_result(const delivery::Settled& settled, std::string_view what_failed);

}  // namespace blender_bus::tools
