#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "server/config_file.hpp"

namespace blender_bus::server {

// An option that the environment may set: its flag ("--port") and variable.
struct EnvironmentBinding {
  std::string flag;
  std::string variable;
};

// Gives every option of `command` that its command line left unset the
// config file's value, else the environment's: flags win over the file, the
// file over the environment. Runs CLI11's own conversion and validators, so a
// bad value reads as it would on the command line, prefixed with where it
// came from. Throws CLI::ValidationError for an unknown key or a bad value
// (a usage error).
//
// The environment is read here rather than through CLI11's envname, which
// would apply it before any file (CLI11 2.1 reads config files for the main
// app only).
void apply_option_sources(CLI::App& command, const std::string& config_path,
                          const std::vector<ConfigSetting>& file,
                          const std::vector<EnvironmentBinding>& environment);

}  // namespace blender_bus::server
