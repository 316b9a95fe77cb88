#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace blender_bus::auth {

inline constexpr std::size_t kMaxUsernameCharacters = 128;

// Why `username` cannot name a user, or nullopt when it can. A username is
// any non-empty valid UTF-8 of at most 128 characters (code points) without
// control characters; quotes, semicolons and spaces are ordinary characters.
std::optional<std::string> username_problem(std::string_view username);

}  // namespace blender_bus::auth
