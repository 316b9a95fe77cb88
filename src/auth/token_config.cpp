#include "auth/token_config.hpp"

#include <charconv>
#include <stdexcept>

namespace blender_bus::auth {

namespace {

// A positive integer small enough that `value * unit` cannot overflow.
std::optional<long long> parse_positive(const std::optional<std::string>& text, const char* name,
                                        long long max) {
  if (!text || text->empty()) return std::nullopt;
  long long value = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || ptr != end || value <= 0 || value > max) {
    throw std::invalid_argument(std::string(name) + " must be a whole number from 1 to " +
                                std::to_string(max) + ", not '" + *text + "'");
  }
  return value;
}

}  // namespace

void apply_token_lifetimes(TokenConfig& config, const std::optional<std::string>& access_minutes,
                           const std::optional<std::string>& refresh_days) {
  // Bounds: ten years either way; beyond that a "token" is a password.
  if (auto m =
          parse_positive(access_minutes, "ACCESS_TOKEN_EXPIRE_MINUTES", 10LL * 366 * 24 * 60)) {
    config.access_lifetime = std::chrono::minutes(*m);
  }
  if (auto d = parse_positive(refresh_days, "REFRESH_TOKEN_EXPIRE_DAYS", 10LL * 366)) {
    config.refresh_lifetime = std::chrono::hours(24 * *d);
  }
}

}  // namespace blender_bus::auth
