#pragma once

#include <istream>
#include <ostream>
#include <string>

namespace blender_bus::cli {

// Reads a new password for `user add` / `user passwd`.
//
// From a terminal (stdin is a tty and `from_stdin` is false): prompts on
// `prompt_out` with echo off, twice, and insists that both agree. With
// `from_stdin`: the first line of `in` (without its line ending), no prompt.
// Otherwise (stdin is not a terminal and no --password-stdin) it refuses, so
// that a script never hangs on a hidden prompt. Throws std::runtime_error
// with a message for the user when no password can be read.
std::string read_new_password(bool from_stdin, std::istream& in, std::ostream& prompt_out);

}  // namespace blender_bus::cli
