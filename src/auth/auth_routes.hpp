#pragma once

#include <optional>

#include "auth/auth_service.hpp"
#include "auth/http_exchange.hpp"
#include "auth/request_authenticator.hpp"

namespace blender_bus::auth {

// The /auth routes of SPEC §2, on transport-neutral requests:
//   POST /auth/login    {"username","password"} → tokens and user
//   POST /auth/refresh  {"refresh_token"}       → new access and refresh token
//   POST /auth/logout   (bearer)                → {"message":"Logged out"}
//   GET  /auth/profile  (bearer)                → {"user_id","username","roles","scopes"}
// Every error body is {"detail": "..."}: 400 for a body that is not a JSON
// object or has a field of the wrong type, 401 for credentials and tokens,
// 405 (with Allow) for a known path with another method.
//
// Every 401 carries `WWW-Authenticate: Bearer` only; the transport, which
// knows the request's base URL, replaces it with www_authenticate_challenge()
// as it does for its own 401s. Token responses carry Cache-Control: no-store
// (RFC 6749 §5.1). Content-Type is application/json, left to the transport.
class AuthRoutes {
 public:
  // `authenticator` guards /auth/logout and /auth/profile (normally the
  // BearerAuthenticator that guards /mcp).
  AuthRoutes(AuthService& service, const RequestAuthenticator& authenticator)
      : service_(&service), authenticator_(&authenticator) {}

  // The reply for a request to one of the paths above; nullopt for any other
  // path (the transport goes on routing).
  std::optional<HttpReply> handle(const HttpRequestView& request) const;

 private:
  HttpReply login(const HttpRequestView& request) const;
  HttpReply refresh(const HttpRequestView& request) const;
  HttpReply logout(const HttpRequestView& request) const;
  HttpReply profile(const HttpRequestView& request) const;

  AuthService* service_;
  const RequestAuthenticator* authenticator_;
};

}  // namespace blender_bus::auth
