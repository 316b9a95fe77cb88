#pragma once

#include <string>
#include <string_view>

namespace blender_bus::auth {

// PKCE with S256 only (RFC 7636, OAuth 2.1 §4.1.1): the challenge is
// BASE64URL(SHA-256(verifier)) without padding.
std::string pkce_s256_challenge(std::string_view verifier);

// A verifier of 43 to 128 unreserved characters (RFC 7636 §4.1) whose S256
// challenge is `challenge`; compared in constant time.
bool pkce_verifier_matches(std::string_view verifier, std::string_view challenge);

// A challenge as S256 produces it: 43 base64url characters.
bool is_s256_challenge(std::string_view challenge);

}  // namespace blender_bus::auth
