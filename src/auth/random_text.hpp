#pragma once

#include <cstddef>
#include <string>

namespace blender_bus::auth {

// `bytes` bytes from libsodium's CSPRNG, as 2*bytes lowercase hex digits.
// Used for token ids and the generated signing secret.
std::string random_hex(std::size_t bytes);

// `bytes` bytes from libsodium's CSPRNG, as URL-safe base64 without padding
// (ceil(4 * bytes / 3) characters of A-Z a-z 0-9 - _).
std::string random_base64url(std::size_t bytes);

// A random password for the bootstrap admin: 24 characters of URL-safe
// base64 (144 bits), easy to paste, nothing a shell would expand.
std::string random_password();

}  // namespace blender_bus::auth
