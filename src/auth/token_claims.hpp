#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "auth/principal.hpp"

namespace blender_bus::auth {

// A token as issued: the compact JWT text and what the issuer keeps of it.
struct IssuedToken {
  std::string token;
  std::string jti;
  std::chrono::system_clock::time_point expires_at;
};

// What an access token issued by the OAuth authorization server carries
// beyond a login's: the resource it is for (RFC 8707, `aud`), the client it
// was issued to (`client_id`) and the consent it came from (`grant`).
struct AccessGrant {
  std::string audience;
  std::string client_id;
  std::string grant_id;
};

// What a verified access token says.
struct AccessClaims {
  Principal principal;           // user_id = sub
  std::uint64_t generation = 0;  // gen: the user's token generation at issue
  AccessGrant grant;             // empty for a login's token
  std::string jti;
  std::chrono::system_clock::time_point expires_at;
};

// What a verified refresh token says.
struct RefreshClaims {
  std::string user_id;  // sub
  std::string jti;
  std::chrono::system_clock::time_point expires_at;
};

// Why a token was refused. `reason` is short, lowercase and safe to show the
// caller (it never echoes token content).
struct TokenError {
  enum class Kind {
    malformed,    // not three base64url parts of JSON objects
    algorithm,    // header alg is not HS256 (none, HS512, RS256, …)
    signature,    // HS256 signature does not match our secret
    expired,      // exp is past (or not yet valid: nbf)
    issuer,       // iss is not ours
    wrong_type,   // a refresh token where an access token belongs, or the reverse
    missing_sub,  // no usable sub
  };
  Kind kind;
  std::string reason;
};

}  // namespace blender_bus::auth
