#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace blender_bus::auth {

// A public OAuth client (RFC 7591, token_endpoint_auth_method "none"): who
// the consent screen names and where codes may be sent.
struct OAuthClient {
  std::string client_id;
  std::string client_name;
  std::vector<std::string> redirect_uris;
  std::string application_type;  // "native" or "web"
  std::int64_t created_at = 0;   // Unix seconds
};

}  // namespace blender_bus::auth
