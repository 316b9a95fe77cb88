#pragma once

#include <CLI/CLI.hpp>

namespace blender_bus::cli {

// `listen --uuid U [--group G]`: registers as client U and prints every bus
// record it receives as one JSON line, until interrupted.
void add_listen_command(CLI::App& app);

}  // namespace blender_bus::cli
