#pragma once

#include <CLI/CLI.hpp>

namespace blender_bus::server {

// `blender-bus serve …`: the MCP server over Streamable HTTP.
void add_serve_command(CLI::App& app);
// `blender-bus stdio`: the MCP core over stdin/stdout (no bus tools).
void add_stdio_command(CLI::App& app);

}  // namespace blender_bus::server
