#pragma once

#include <CLI/CLI.hpp>

namespace blender_bus::cli {

// `login --server URL [--username U] [--password-stdin]`: exchanges a
// password for tokens (POST /auth/login) and keeps them, mode 0600, where
// the other commands find them.
void add_login_command(CLI::App& app);

}  // namespace blender_bus::cli
