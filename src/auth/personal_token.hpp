#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace blender_bus::auth {

// A personal access token is "bmcp_" (the original server's prefix, so that
// secret scanners and people recognise it) and 43 characters of URL-safe
// base64: 32 bytes from libsodium's CSPRNG. Only its SHA-256 is stored.
inline constexpr std::string_view kPersonalTokenPrefix = "bmcp_";

std::string generate_personal_token();

// True for a bearer that claims to be a personal access token (by its
// prefix): it is then judged as one and never as a JWT.
inline bool is_personal_token(std::string_view bearer) {
  return bearer.substr(0, kPersonalTokenPrefix.size()) == kPersonalTokenPrefix;
}

// Why `name` cannot name a token (1 to 64 of A-Z a-z 0-9 . _ -, so that it
// is one path segment of /auth/tokens/{name} and one shell word); nullopt
// when it can.
std::optional<std::string> token_name_problem(std::string_view name);

}  // namespace blender_bus::auth
