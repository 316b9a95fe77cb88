#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace blender_bus::auth {

// Base64url without padding (RFC 4648 §5), as PKCE and the form seal write
// it (libsodium).
std::string base64url_encode(std::string_view bytes);
// nullopt unless all of `text` is base64url without padding.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace blender_bus::auth
