#pragma once

#include <boost/json/object.hpp>
#include <string_view>
#include <variant>

#include "auth/clock.hpp"
#include "auth/principal.hpp"
#include "auth/token_claims.hpp"
#include "auth/token_config.hpp"

namespace blender_bus::auth {

// Issues and verifies the server's JWTs (HS256 only, libjwt on OpenSSL).
//
// Access token claims: sub (= user id = username), username, roles, scopes,
// token_type "access", iss, iat, exp, jti, and gen: the user's token
// generation when it was issued (UserRecord; absent reads as 0); one issued
// through OAuth adds aud, client_id and grant (AccessGrant), and its
// principal reads as Credential::oauth_token. Refresh
// token claims: sub, token_type "refresh", iss, iat, exp, jti.
//
// Verification does not trust libjwt's defaults: libjwt 1.10 accepts any HMAC
// algorithm the token names (an HS512 token signed with our key passes), so
// the header's alg is checked to be exactly "HS256" before the signature and
// again after decoding. Then exp (required), nbf (when present), iss (must be
// ours) and token_type are checked, sub last.
//
// Thread-safe: const after construction.
class TokenService {
 public:
  // Throws std::invalid_argument for an empty secret or issuer.
  explicit TokenService(TokenConfig config, Clock clock = system_clock());

  // `generation`: the user's token generation (UserRecord::token_generation).
  IssuedToken issue_access(const Principal& principal, std::uint64_t generation = 0,
                           const AccessGrant& grant = {}) const;
  IssuedToken issue_refresh(std::string_view user_id) const;

  std::variant<AccessClaims, TokenError> verify_access(std::string_view token) const;
  std::variant<RefreshClaims, TokenError> verify_refresh(std::string_view token) const;

  const TokenConfig& config() const { return config_; }
  std::chrono::system_clock::time_point now() const { return clock_(); }

 private:
  // Format, algorithm, signature, exp/nbf and issuer; returns the claims.
  std::variant<boost::json::object, TokenError> verify_signed(std::string_view token) const;
  IssuedToken sign(boost::json::object claims, std::string_view type,
                   std::chrono::seconds lifetime) const;

  TokenConfig config_;
  Clock clock_;
};

}  // namespace blender_bus::auth
