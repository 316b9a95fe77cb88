#pragma once

#include <CLI/CLI.hpp>

namespace blender_bus::cli {

// `clients [--json]`: the clients on the user's bus, as a table or as the
// tool's JSON.
void add_clients_command(CLI::App& app);

}  // namespace blender_bus::cli
