#pragma once

#include <CLI/CLI.hpp>

namespace blender_bus::cli {

// `call TOOL JSON`: calls any tool with JSON arguments and prints its result
// as JSON (exit 1 when the tool reports an error).
void add_call_command(CLI::App& app);

}  // namespace blender_bus::cli
