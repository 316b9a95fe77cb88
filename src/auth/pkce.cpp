#include "auth/pkce.hpp"

#include <sodium.h>

#include <algorithm>

#include "auth/base64url.hpp"
#include "auth/sodium_init.hpp"

namespace blender_bus::auth {

namespace {

bool unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

std::string pkce_s256_challenge(std::string_view verifier) {
  ensure_sodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(verifier.data()),
                     verifier.size());
  return base64url_encode({reinterpret_cast<const char*>(digest), sizeof digest});
}

bool is_s256_challenge(std::string_view challenge) {
  return challenge.size() == 43 && std::all_of(challenge.begin(), challenge.end(), base64url_char);
}

bool pkce_verifier_matches(std::string_view verifier, std::string_view challenge) {
  if (verifier.size() < 43 || verifier.size() > 128) return false;
  if (!std::all_of(verifier.begin(), verifier.end(), unreserved)) return false;
  if (!is_s256_challenge(challenge)) return false;
  const std::string computed = pkce_s256_challenge(verifier);
  return sodium_memcmp(computed.data(), challenge.data(), computed.size()) == 0;
}

}  // namespace blender_bus::auth
