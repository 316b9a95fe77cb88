#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace blender_bus::cli {

// How the data-directory commands (user, token, oauth) print a listing's
// fields: a time as UTC ISO 8601 to the second, a list joined by commas
// ("-" when empty).
std::string utc_time(std::int64_t unix_seconds);
std::string comma_list(const std::vector<std::string>& items);

}  // namespace blender_bus::cli
