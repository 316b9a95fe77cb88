#include "auth/token_lifetime.hpp"

#include <charconv>

namespace blender_bus::auth {

std::variant<TokenLifetime, std::string> parse_token_lifetime(std::string_view text) {
  if (text == "never") return TokenLifetime{};
  const std::string problem =
      "expiry must be a whole number with s, m, h or d (e.g. 90d), or 'never': '" +
      std::string(text.substr(0, 32)) + "'";
  if (text.size() < 2) return problem;
  std::int64_t unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    default:
      return problem;
  }
  const std::string_view digits = text.substr(0, text.size() - 1);
  std::int64_t count = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  if (ec != std::errc() || end != digits.data() + digits.size() || count <= 0) return problem;
  constexpr std::int64_t kMaxSeconds = 3650LL * 86400;
  if (count > kMaxSeconds / unit) return "expiry must be at most 3650 days";
  return TokenLifetime{std::chrono::seconds(count * unit)};
}

}  // namespace blender_bus::auth
