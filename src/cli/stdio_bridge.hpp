#pragma once

#include <string>

namespace blender_bus::cli {

struct StdioBridgeOptions {
  std::string server;      // --connect: the bus server's base URL
  std::string token_file;  // --token-file; "" uses the stored login for that server, if any
  std::string ca_file;     // --ca-file: for https://, a private CA's certificate(s)
};

// `blender-bus stdio --connect URL`: a stdio MCP server that is the bus
// server's session, so an assistant that only speaks stdio gets the bus
// tools under the token's identity. Newline-delimited JSON-RPC from stdin is
// POSTed to /mcp (the client's own initialize opens the session); every
// answer, and every message on the session's GET stream (the bus records),
// goes to stdout as one line; logs go to stderr. Ends the session and
// returns 0 at the end of stdin. Returns the process exit status.
int run_stdio_bridge(const StdioBridgeOptions& options);

}  // namespace blender_bus::cli
