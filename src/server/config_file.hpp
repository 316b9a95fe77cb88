#pragma once

#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace blender_bus::server {

// One setting of a `serve --config` file: a `serve` flag's long name (no
// leading --) and its value(s) as the command line would spell them.
struct ConfigSetting {
  std::string key;
  std::vector<std::string> values;  // one per array element; one for a scalar
  std::size_t line = 0;             // where the key is, for error messages
};

// A config file that cannot be read or is not valid: the message names the
// file and, where known, the line.
class ConfigFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads a TOML file (toml++) of top-level `key = value` lines: strings,
// integers, floats, booleans, or arrays of those (a repeatable flag). Tables,
// dates and nested arrays have no flag to go to and are refused.
std::vector<ConfigSetting> read_config_file(const std::filesystem::path& path);

}  // namespace blender_bus::server
