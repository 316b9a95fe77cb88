#include "server/option_sources.hpp"

#include <cstdlib>

namespace blender_bus::server {

namespace {

// What CLI11 does with a value it reads from a command line, for a value
// that came from elsewhere; `origin` prefixes any complaint.
void set_option(CLI::Option& option, std::vector<std::string> values, const std::string& origin) {
  try {
    option.add_result(std::move(values));
    option.run_callback();
  } catch (const CLI::ParseError& error) {
    throw CLI::ValidationError(origin + ": " + error.what());
  }
}

}  // namespace

void apply_option_sources(CLI::App& command, const std::string& config_path,
                          const std::vector<ConfigSetting>& file,
                          const std::vector<EnvironmentBinding>& environment) {
  for (const auto& setting : file) {
    const std::string origin =
        config_path + ":" + std::to_string(setting.line) + ": " + setting.key;
    CLI::Option* option = command.get_option_no_throw("--" + setting.key);
    if (!option || setting.key == "config" || setting.key == "help") {
      throw CLI::ValidationError(origin + ": unknown setting (keys are the long names of `" +
                                 command.get_name() + "` flags, without --)");
    }
    if (option->count() == 0) set_option(*option, setting.values, origin);
  }
  for (const auto& binding : environment) {
    CLI::Option* option = command.get_option_no_throw(binding.flag);
    if (!option || option->count() != 0) continue;
    const char* value = std::getenv(binding.variable.c_str());
    if (value && *value) set_option(*option, {value}, "$" + binding.variable);
  }
}

}  // namespace blender_bus::server
