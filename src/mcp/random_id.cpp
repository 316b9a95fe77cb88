#include "mcp/random_id.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace blender_bus::mcp {

std::string random_hex_id() {
  // sodium_init is idempotent and thread-safe; -1 means no entropy source.
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  std::array<unsigned char, 16> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::array<char, 2 * 16 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  return std::string(hex.data(), 2 * 16);
}

bool is_hex_id(std::string_view text) {
  return text.size() == 2 * 16 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace blender_bus::mcp
