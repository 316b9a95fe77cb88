#pragma once

#include "server/serve_config.hpp"

namespace blender_bus::server {

// Composes the HTTP server from its config and runs it until SIGINT/SIGTERM.
// Prints `blender-bus listening on http://HOST:PORT` on stdout when ready.
// Returns the process exit code.
int run_http_server(ServeConfig config);

}  // namespace blender_bus::server
