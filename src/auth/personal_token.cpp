#include "auth/personal_token.hpp"

#include <sodium.h>

#include <algorithm>

#include "auth/sodium_init.hpp"

namespace blender_bus::auth {

std::string generate_personal_token() {
  ensure_sodium();
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string text(sodium_base64_ENCODED_LEN(sizeof raw, kVariant), '\0');
  sodium_bin2base64(text.data(), text.size(), raw, sizeof raw, kVariant);
  text.resize(text.find('\0'));
  sodium_memzero(raw, sizeof raw);
  return std::string(kPersonalTokenPrefix) + text;
}

std::optional<std::string> token_name_problem(std::string_view name) {
  if (name.empty() || name.size() > 64) return "token name must be 1 to 64 characters";
  const bool allowed = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
  if (!allowed) return "token name may hold only letters, digits, '.', '_' and '-'";
  return std::nullopt;
}

}  // namespace blender_bus::auth
