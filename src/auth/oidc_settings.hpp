#pragma once

#include <chrono>
#include <string>

namespace blender_bus::auth {

// --oidc-issuer / --oidc-audience / --oidc-user-claim: accept access tokens
// from an external OpenID Connect issuer.
struct OidcSettings {
  std::string issuer;    // e.g. "https://id.example.com/realms/studio"; "" disables
  std::string audience;  // the `aud` a token must name
  std::string user_claim = "sub";
  // Clock skew allowed on exp and nbf.
  std::chrono::seconds leeway{60};
  // How often the key set is read again, and how soon after the last read a
  // token with an unknown key id may make it read again.
  std::chrono::seconds refresh_every{300};
  std::chrono::seconds min_refresh_gap{10};
};

// External users' ids: "oidc:" and the claim, a prefix no built-in username
// may start with (username.hpp), so the two id spaces never meet.
inline constexpr std::string_view kExternalUserPrefix = "oidc:";

}  // namespace blender_bus::auth
