#pragma once

#include <string>
#include <vector>

namespace blender_bus::auth {

// What a request presented to prove who it is.
enum class Credential {
  access_token,    // a JWT from /auth/login or /auth/refresh
  personal_token,  // a personal access token (personal_token.hpp): its scopes bound it
  external_token,  // an access token of the external OpenID Connect issuer (--oidc-issuer)
  oauth_token,     // a JWT from the OAuth token endpoint: its scopes bound it
  local,           // --auth none: the local development user
};

// The user a request acts as. `user_id` keys everything (buses, sessions, jobs).
struct Principal {
  std::string user_id;
  std::string username;
  std::vector<std::string> roles;
  std::vector<std::string> scopes;
  Credential credential = Credential::access_token;
};

}  // namespace blender_bus::auth
