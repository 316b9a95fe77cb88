#pragma once

namespace blender_bus::cli {

// Exit statuses of `blender-bus` commands, fixed and documented (README,
// "Exit status"); scripts branch on them.
namespace exit_status {
inline constexpr int ok = 0;
// Any command's error (not authorized, unreachable, refused); for `send`:
// a job failed or was cancelled on at least one client.
inline constexpr int failed = 1;
// `send`: not every awaited client answered within --timeout.
inline constexpr int timed_out = 2;
// `send`: the job could not be sent, or no client matches the target.
inline constexpr int could_not_send = 3;
// The command line is wrong: an unknown flag, a bad value, a missing
// argument (sysexits.h's EX_USAGE).
inline constexpr int usage = 64;
// Interrupted by a second Ctrl-C / SIGTERM (128 + SIGINT, as shells say).
inline constexpr int interrupted = 130;
}  // namespace exit_status

}  // namespace blender_bus::cli
