#pragma once

#include <variant>

#include "auth/clock.hpp"
#include "auth/jwt_parts.hpp"
#include "auth/oidc_key_set.hpp"
#include "auth/oidc_settings.hpp"
#include "auth/principal.hpp"

namespace blender_bus::auth {

// Why an external issuer's token was refused; the text follows "Invalid token: ".
struct OidcRefusal {
  std::string reason;
};

// Checks an access token of the external issuer: alg exactly RS256 or ES256
// (never none, never HMAC: a public key is no secret), no `crit`, a key of
// the issuer's set by `kid`, the signature, `iss`, `aud` (a string or a list
// naming the audience), `exp` (required) and `nbf` within the leeway, and the
// user claim, a non-empty string. The principal is "oidc:<claim>" with the
// role `user` and the token's `scope` (space-separated, RFC 9068) as scopes,
// or read and write when it has none. Thread-safe.
class OidcTokenVerifier {
 public:
  OidcTokenVerifier(const OidcSettings& settings, const OidcKeySet& keys,
                    Clock clock = system_clock())
      : settings_(&settings), keys_(&keys), clock_(std::move(clock)) {}

  // True when `parts` claims to come from this issuer (its unverified `iss`):
  // such a token is judged here and never as one of ours.
  bool claims_issuer(const JwtParts& parts) const;

  std::variant<Principal, OidcRefusal> verify(const JwtParts& parts) const;

 private:
  const OidcSettings* settings_;
  const OidcKeySet* keys_;
  Clock clock_;
};

}  // namespace blender_bus::auth
