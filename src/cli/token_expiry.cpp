#include "cli/token_expiry.hpp"

#include <array>
#include <boost/json.hpp>
#include <string>

namespace blender_bus::cli {

namespace {

// base64url (RFC 4648 §5), padding optional, as JWT segments use it.
std::optional<std::string> base64url_decode(std::string_view text) {
  constexpr auto table = [] {
    std::array<signed char, 256> t{};
    t.fill(-1);
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < 64; ++i)
      t[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
    return t;
  }();
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    const int value = table[static_cast<unsigned char>(c)];
    if (value < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

}  // namespace

std::optional<std::int64_t> token_expiry(std::string_view jwt) {
  const auto first = jwt.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = jwt.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  auto payload = base64url_decode(jwt.substr(first + 1, second - first - 1));
  if (!payload) return std::nullopt;
  boost::system::error_code ec;
  auto claims = boost::json::parse(*payload, ec);
  if (ec || !claims.is_object()) return std::nullopt;
  const auto* exp = claims.as_object().if_contains("exp");
  if (exp == nullptr) return std::nullopt;
  if (exp->is_int64()) return exp->as_int64();
  if (exp->is_uint64()) return static_cast<std::int64_t>(exp->as_uint64());
  if (exp->is_double()) {
    // The server's number: one beyond 64 bits is the latest (or earliest) time.
    const double seconds = exp->as_double();
    if (seconds >= 0x1p63) return INT64_MAX;
    if (seconds < -0x1p63) return INT64_MIN;
    return static_cast<std::int64_t>(seconds);
  }
  return std::nullopt;
}

bool token_expired(std::string_view jwt, std::int64_t now_s, std::int64_t leeway_s) {
  const auto exp = token_expiry(jwt);
  return exp && *exp <= now_s + leeway_s;
}

}  // namespace blender_bus::cli
