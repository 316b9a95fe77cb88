#pragma once

#include <string>

#include "auth/oidc_token_verifier.hpp"
#include "auth/personal_token_directory.hpp"
#include "auth/request_authenticator.hpp"
#include "auth/revoked_grants.hpp"
#include "auth/token_service.hpp"
#include "auth/user_directory.hpp"

namespace blender_bus::auth {

// `Authorization: Bearer <JWT>` → the token's user (SPEC §2):
//   absent, empty, another scheme, or "Bearer" alone → "Bearer token required";
//   no usable sub → "Token missing sub";
//   a user deleted, or a generation revoked since the token was issued
//     (logout, a new password) → "Invalid token: token has been revoked";
//   any other verification failure → "Invalid token: <reason>".
// A bearer with the personal-token prefix (personal_token.hpp) is judged as
// one by the PersonalTokenDirectory: "Invalid token: unknown or revoked
// personal access token" | "Invalid token: personal access token expired".
// A JWT whose `iss` is the external OpenID Connect issuer (when one is
// configured) is judged by its OidcTokenVerifier: "Invalid token: <reason>".
//
// A token with an audience (one the OAuth token endpoint issued) is refused
// unless it is `resource`, this server's `<public-url>/mcp`: "Invalid token:
// token is for another audience" (RFC 8707); a login's token has none. One
// of a revoked OAuth grant (RevokedGrants) → "Invalid token: token has been
// revoked".
// The scheme is matched case-insensitively (RFC 9110 §11.1). Revocation is
// checked against the in-memory UserDirectory, never the store.
class BearerAuthenticator : public RequestAuthenticator {
 public:
  BearerAuthenticator(const TokenService& tokens, const UserDirectory& directory,
                      const PersonalTokenDirectory& personal_tokens, std::string resource = {},
                      const RevokedGrants* revoked_grants = nullptr)
      : tokens_(&tokens),
        directory_(&directory),
        personal_tokens_(&personal_tokens),
        resource_(std::move(resource)),
        revoked_grants_(revoked_grants) {}

  // Accept the external issuer's tokens too (set before serving; it must
  // outlive this).
  void accept_external(const OidcTokenVerifier& verifier) { external_ = &verifier; }

  AuthOutcome authenticate(std::string_view authorization) const override;

 private:
  const TokenService* tokens_;
  const UserDirectory* directory_;
  const PersonalTokenDirectory* personal_tokens_;
  const OidcTokenVerifier* external_ = nullptr;
  std::string resource_;
  const RevokedGrants* revoked_grants_;
};

}  // namespace blender_bus::auth
