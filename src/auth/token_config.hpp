#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace blender_bus::auth {

// How tokens are signed and how long they live.
struct TokenConfig {
  std::string secret;  // HS256 key (load_or_create_secret_key)
  // `iss` of every token, checked on verification. Use the server's base URL
  // (e.g. "http://127.0.0.1:8000"): it is also the issuer named in the
  // protected-resource metadata.
  std::string issuer;
  std::chrono::seconds access_lifetime = std::chrono::minutes(30);
  std::chrono::seconds refresh_lifetime = std::chrono::hours(24 * 7);
};

// Reads ACCESS_TOKEN_EXPIRE_MINUTES / REFRESH_TOKEN_EXPIRE_DAYS as the
// composition root found them (nullopt or "" when unset → the defaults of 30
// minutes and 7 days) into `config`. Throws std::invalid_argument naming the
// variable when a value is not a positive whole number.
void apply_token_lifetimes(TokenConfig& config, const std::optional<std::string>& access_minutes,
                           const std::optional<std::string>& refresh_days);

}  // namespace blender_bus::auth
