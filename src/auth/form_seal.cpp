#include "auth/form_seal.hpp"

#include <sodium.h>

#include "auth/base64url.hpp"
#include "auth/sodium_init.hpp"

namespace blender_bus::auth {

FormSeal::FormSeal(std::string_view secret) {
  ensure_sodium();
  constexpr std::string_view kContext = "blender-bus oauth form seal\n";
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(kContext.data()),
                            kContext.size());
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                            secret.size());
  key_.resize(crypto_auth_hmacsha256_KEYBYTES);
  crypto_hash_sha256_final(&state, reinterpret_cast<unsigned char*>(key_.data()));
}

std::string FormSeal::tag(std::string_view text) const {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                         reinterpret_cast<const unsigned char*>(key_.data()));
  return base64url_encode({reinterpret_cast<const char*>(mac), sizeof mac});
}

std::string FormSeal::seal(std::string_view text) const {
  const std::string body = base64url_encode(text);
  return body + "." + tag(body);
}

std::optional<std::string> FormSeal::open(std::string_view sealed) const {
  const std::size_t dot = sealed.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view body = sealed.substr(0, dot);
  const std::string expected = tag(body);
  const std::string_view given = sealed.substr(dot + 1);
  if (given.size() != expected.size() ||
      sodium_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    return std::nullopt;
  }
  return base64url_decode(body);
}

}  // namespace blender_bus::auth
