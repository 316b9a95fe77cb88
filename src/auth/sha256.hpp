#pragma once

#include <string>
#include <string_view>

namespace blender_bus::auth {

// Lowercase hex SHA-256 of `data` (OpenSSL): how refresh tokens are stored.
std::string sha256_hex(std::string_view data);

}  // namespace blender_bus::auth
