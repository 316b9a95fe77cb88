#include "auth/form_seal.hpp"

#include <sodium.h>

#include "auth/sodium_init.hpp"

namespace blender_bus::auth {

namespace {

constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

std::string base64url(const unsigned char* bytes, std::size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, size, kVariant);
  out.resize(out.find('\0'));
  return out;
}

std::optional<std::string> from_base64url(std::string_view text) {
  std::string out(text.size(), '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, &end, kVariant) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

}  // namespace

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
  return base64url(mac, sizeof mac);
}

std::string FormSeal::seal(std::string_view text) const {
  const std::string body =
      base64url(reinterpret_cast<const unsigned char*>(text.data()), text.size());
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
  return from_base64url(body);
}

}  // namespace blender_bus::auth
