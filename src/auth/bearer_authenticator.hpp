#pragma once

#include "auth/oidc_token_verifier.hpp"
#include "auth/personal_token_directory.hpp"
#include "auth/request_authenticator.hpp"
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
// The scheme is matched case-insensitively (RFC 9110 §11.1). Revocation is
// checked against the in-memory UserDirectory, never the store.
class BearerAuthenticator : public RequestAuthenticator {
 public:
  BearerAuthenticator(const TokenService& tokens, const UserDirectory& directory,
                      const PersonalTokenDirectory& personal_tokens)
      : tokens_(&tokens), directory_(&directory), personal_tokens_(&personal_tokens) {}

  // Accept the external issuer's tokens too (set before serving; it must
  // outlive this).
  void accept_external(const OidcTokenVerifier& verifier) { external_ = &verifier; }

  AuthOutcome authenticate(std::string_view authorization) const override;

 private:
  const TokenService* tokens_;
  const UserDirectory* directory_;
  const PersonalTokenDirectory* personal_tokens_;
  const OidcTokenVerifier* external_ = nullptr;
};

}  // namespace blender_bus::auth
