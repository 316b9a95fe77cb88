#pragma once

namespace blender_bus::server {

// MCP over stdin/stdout. stdio carries no identity, so there is no user and
// no bus: the lifecycle, ping and logging only (SPEC §3). Returns the exit code.
int run_stdio_server();

}  // namespace blender_bus::server
