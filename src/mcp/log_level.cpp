#include "mcp/log_level.hpp"

#include <array>

namespace blender_bus::mcp {

namespace {
constexpr std::array<std::string_view, 8> kNames = {
    "emergency", "alert", "critical", "error", "warning", "notice", "info", "debug"};
}

std::string_view to_string(LogLevel level) { return kNames.at(static_cast<int>(level)); }

std::optional<LogLevel> log_level_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<LogLevel>(i);
  }
  return std::nullopt;
}

}  // namespace blender_bus::mcp
