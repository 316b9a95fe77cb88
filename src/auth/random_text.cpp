#include "auth/random_text.hpp"

#include <sodium.h>

#include <vector>

#include "auth/base64url.hpp"
#include "auth/sodium_init.hpp"

namespace blender_bus::auth {

std::string random_hex(std::size_t bytes) {
  ensure_sodium();
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  hex.pop_back();  // the terminating NUL
  sodium_memzero(raw.data(), raw.size());
  return hex;
}

std::string random_base64url(std::size_t bytes) {
  ensure_sodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string text = base64url_encode(raw);
  sodium_memzero(raw.data(), raw.size());
  return text;
}

std::string random_password() {
  return random_base64url(18);
}

}  // namespace blender_bus::auth
