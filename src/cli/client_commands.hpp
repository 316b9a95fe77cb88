#pragma once

#include <CLI/CLI.hpp>

namespace blender_bus::cli {

// Adds the client-side subcommands to the blender-bus command line: login,
// clients, send, listen and call. Each runs from its own CLI11 callback and
// reports failure by throwing CLI::RuntimeError(exit status), so main should
// parse with CLI11_PARSE (or catch CLI::ParseError and return app.exit(e)).
void add_client_commands(CLI::App& app);

}  // namespace blender_bus::cli
