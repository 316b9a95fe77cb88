#pragma once

#include "auth/request_authenticator.hpp"
#include "auth/token_service.hpp"

namespace blender_bus::auth {

// `Authorization: Bearer <JWT>` → the token's user (SPEC §2):
//   absent, empty, another scheme, or "Bearer" alone → "Bearer token required";
//   no usable sub → "Token missing sub";
//   any other verification failure → "Invalid token: <reason>".
// The scheme is matched case-insensitively (RFC 9110 §11.1). Stateless: the
// token is checked, the user store is not consulted.
class BearerAuthenticator : public RequestAuthenticator {
 public:
  explicit BearerAuthenticator(const TokenService& tokens) : tokens_(&tokens) {}

  AuthOutcome authenticate(std::string_view authorization) const override;

 private:
  const TokenService* tokens_;
};

}  // namespace blender_bus::auth
