#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace blender_bus::auth {

// How long a personal access token lives: nullopt for "never".
using TokenLifetime = std::optional<std::chrono::seconds>;

// The lifetime a token gets when its creator names none.
inline constexpr std::chrono::seconds kDefaultPersonalTokenLifetime = std::chrono::hours(24 * 90);

// Parses `--expires`: a whole number and a unit (s, m, h, d: "90d", "12h"),
// at most 3650 days, or "never". The error text names what was wrong.
std::variant<TokenLifetime, std::string> parse_token_lifetime(std::string_view text);

}  // namespace blender_bus::auth
