#include "auth/username.hpp"

#include <cstdint>

#include "auth/oidc_settings.hpp"

namespace blender_bus::auth {

namespace {

// Decodes one UTF-8 sequence at `pos`; nullopt when it is not well-formed
// (overlong, surrogate, beyond U+10FFFF, truncated).
std::optional<char32_t> next_code_point(std::string_view s, std::size_t& pos) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(s[i]); };
  const std::uint8_t lead = byte(pos);
  std::size_t length = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (lead < 0x80) {
    ++pos;
    return lead;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2, cp = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, cp = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, cp = lead & 0x07, min = 0x10000;
  } else {
    return std::nullopt;
  }
  if (pos + length > s.size()) return std::nullopt;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (byte(pos + i) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  pos += length;
  return cp;
}

}  // namespace

std::optional<std::string> username_problem(std::string_view username) {
  if (username.empty()) return "username must not be empty";
  if (username.starts_with(kExternalUserPrefix)) {
    return "username must not start with '" + std::string(kExternalUserPrefix) +
           "' (external users' ids)";
  }
  std::size_t characters = 0;
  for (std::size_t pos = 0; pos < username.size();) {
    const auto cp = next_code_point(username, pos);
    if (!cp) return "username must be valid UTF-8";
    if (*cp < 0x20 || (*cp >= 0x7F && *cp < 0xA0)) {
      return "username must not contain control characters";
    }
    if (++characters > kMaxUsernameCharacters) {
      return "username is longer than " + std::to_string(kMaxUsernameCharacters) + " characters";
    }
  }
  return std::nullopt;
}

}  // namespace blender_bus::auth
