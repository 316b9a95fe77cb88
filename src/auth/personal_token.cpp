#include "auth/personal_token.hpp"

#include <algorithm>

#include "auth/random_text.hpp"

namespace blender_bus::auth {

std::string generate_personal_token() {
  return std::string(kPersonalTokenPrefix) + random_base64url(32);
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
