#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace blender_bus::cli {

// The `exp` claim of a JWT (Unix seconds), read without checking the
// signature: the client only uses it to refresh before the server would
// refuse, and the server remains the judge. nullopt when absent or unreadable
// (e.g. an opaque token).
std::optional<std::int64_t> token_expiry(std::string_view jwt);

// True when the token is known to expire within `leeway_s` of `now_s`.
bool token_expired(std::string_view jwt, std::int64_t now_s, std::int64_t leeway_s = 30);

}  // namespace blender_bus::cli
