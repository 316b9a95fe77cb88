#include "bus/priority.hpp"

#include <array>
#include <cctype>

namespace blender_bus::bus {

namespace {

constexpr std::array<std::string_view, 8> kNames = {"emergency", "alert",  "critical", "error",
                                                    "warning",   "notice", "info",     "debug"};
constexpr std::array<std::string_view, 8> kCapitals = {"EMERGENCY", "ALERT",  "CRITICAL", "ERROR",
                                                       "WARNING",   "NOTICE", "INFO",     "DEBUG"};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string_view to_string(Priority priority) {
  return kNames.at(static_cast<int>(priority));
}

std::optional<Priority> parse_priority(std::string_view text) {
  const std::string_view value = trim(text);
  if (value.empty()) return std::nullopt;
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (value == kNames[i] || value == kCapitals[i]) return static_cast<Priority>(i);
  }
  // Digits only (no sign): "3", "07". Bounded before accumulating so a long
  // string of digits cannot overflow.
  int number = 0;
  for (char c : value) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    number = number * 10 + (c - '0');
    if (number > 7) return std::nullopt;
  }
  return static_cast<Priority>(number);
}

std::string unknown_priority_error(std::string_view text) {
  std::string out = "Unknown priority: '";
  out.append(text);
  out.push_back('\'');
  return out;
}

}  // namespace blender_bus::bus
