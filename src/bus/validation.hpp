#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/limits.hpp"

namespace blender_bus::bus {

// nullopt when `value` fits in `max` bytes, else the error message, e.g.
// "client_uuid exceeds 256 bytes".
std::optional<std::string> check_length(std::string_view field, std::string_view value,
                                        std::size_t max);

// The same for an optional field (absent always fits).
std::optional<std::string> check_optional_length(std::string_view field,
                                                 const std::optional<std::string>& value,
                                                 std::size_t max);

// Count and length of a capability list.
std::optional<std::string> check_capabilities(const std::vector<std::string>& capabilities,
                                              const Limits& limits);

}  // namespace blender_bus::bus
