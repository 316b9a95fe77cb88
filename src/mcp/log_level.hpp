#pragma once

#include <optional>
#include <string_view>

namespace blender_bus::mcp {

// RFC 5424 severities as MCP names them; lower is more severe.
enum class LogLevel : int {
  emergency = 0,
  alert = 1,
  critical = 2,
  error = 3,
  warning = 4,
  notice = 5,
  info = 6,
  debug = 7,
};

std::string_view to_string(LogLevel level);
std::optional<LogLevel> log_level_from_name(std::string_view name);

}  // namespace blender_bus::mcp
