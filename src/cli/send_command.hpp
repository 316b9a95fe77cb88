#pragma once

#include <CLI/CLI.hpp>

namespace blender_bus::cli {

// `send --target uuid:X|group:X|type:X|broadcast (--script FILE|-)
// [--priority P] [--timeout S]`: dispatches a script as a job_dispatch
// (SPEC §11) and waits for every target's answer. Exit status: 0 all
// completed, 1 any failed, 2 timed out, 3 could not send.
void add_send_command(CLI::App& app);

}  // namespace blender_bus::cli
