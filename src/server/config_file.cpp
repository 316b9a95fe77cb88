#include "server/config_file.hpp"

#include <toml++/toml.h>
#include <array>
#include <charconv>

namespace blender_bus::server {

namespace {

std::string where(const std::filesystem::path& path, const toml::source_region& at) {
  return path.string() + ":" + std::to_string(at.begin.line) + ":" +
         std::to_string(at.begin.column);
}

// A scalar as the command line would spell it; nullopt for anything else.
std::optional<std::string> flag_text(const toml::node& node) {
  if (const auto* s = node.as_string()) return s->get();
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
  if (const auto* f = node.as_floating_point()) {
    std::array<char, 32> text{};
    const auto end = std::to_chars(text.data(), text.data() + text.size(), f->get()).ptr;
    return std::string(text.data(), end);
  }
  return std::nullopt;
}

}  // namespace

std::vector<ConfigSetting> read_config_file(const std::filesystem::path& path) {
  toml::table table;
  try {
    table = toml::parse_file(path.string());
  } catch (const toml::parse_error& error) {
    // toml++ reports a missing file as a parse error at 0:0.
    if (error.source().begin.line == 0) {
      throw ConfigFileError(path.string() + ": " + std::string(error.description()));
    }
    throw ConfigFileError(where(path, error.source()) + ": " + std::string(error.description()));
  }
  std::vector<ConfigSetting> settings;
  for (const auto& [key, node] : table) {
    ConfigSetting setting;
    setting.key = std::string(key.str());
    setting.line = key.source().begin.line;
    if (const auto* array = node.as_array()) {
      for (const auto& element : *array) {
        auto text = flag_text(element);
        if (!text) {
          throw ConfigFileError(where(path, element.source()) + ": " + setting.key +
                                ": an array holds strings, numbers or booleans only");
        }
        setting.values.push_back(std::move(*text));
      }
    } else if (auto text = flag_text(node)) {
      setting.values.push_back(std::move(*text));
    } else {
      throw ConfigFileError(where(path, key.source()) + ": " + setting.key +
                            ": expected a string, number, boolean or array (every setting is a "
                            "top-level key named like its serve flag)");
    }
    settings.push_back(std::move(setting));
  }
  return settings;
}

}  // namespace blender_bus::server
