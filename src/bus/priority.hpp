#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace blender_bus::bus {

// Message priorities are the MCP/RFC 5424 log levels (SPEC §6); the numeric
// value is the record's "priority" and lower is more severe. The values match
// mcp::LogLevel one to one, so the tools layer converts with a cast.
enum class Priority : int {
  emergency = 0,
  alert = 1,
  critical = 2,
  error = 3,
  warning = 4,
  notice = 5,
  info = 6,
  debug = 7,
};

std::string_view to_string(Priority priority);

// Accepts the lowercase name, the same name in capitals, or a decimal integer
// 0–7, with surrounding spaces ignored. Anything else is nullopt.
std::optional<Priority> parse_priority(std::string_view text);

// The wire error for a value parse_priority refused: "Unknown priority: '<value>'".
std::string unknown_priority_error(std::string_view text);

}  // namespace blender_bus::bus
