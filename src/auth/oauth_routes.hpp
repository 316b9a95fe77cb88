#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "auth/authorization_server.hpp"
#include "auth/cors_policy.hpp"
#include "auth/form_fields.hpp"
#include "auth/form_seal.hpp"
#include "auth/http_exchange.hpp"
#include "auth/login_throttle.hpp"
#include "auth/registration_throttle.hpp"
#include "auth/user_store.hpp"
#include "auth/worker_pool.hpp"

namespace blender_bus::auth {

// The built-in OAuth 2.1 authorization server's routes, on transport-neutral
// requests (paths in authorization_server_metadata.hpp):
//   GET  /.well-known/oauth-authorization-server  RFC 8414 metadata
//   POST /oauth/register   RFC 7591 JSON → 201 the client (public clients only);
//                          429 with Retry-After past the RegistrationThrottle
//   GET  /oauth/authorize  the sign-in page for a valid request; a dead-end
//                          page (400) for an unknown client or redirect;
//                          other faults redirect with error, state and iss
//   POST /oauth/authorize  step=login: checks the anti-CSRF field, the
//                          LoginThrottle (429 page) and the password (on a
//                          worker), then the consent page; step=consent:
//                          decision=approve → 303 to the redirect with code,
//                          state and iss; deny → error=access_denied
//   POST /oauth/token      form: authorization_code (PKCE) or refresh_token
//   POST /oauth/revoke     form: token → 200 whatever it was (RFC 7009)
// Pages are text/html, no-store, never framed, with no script. Token and
// registration errors are RFC 6749 §5.2 JSON ({"error","error_description"}).
// The metadata, register, token and revoke routes answer CORS preflights and
// carry Access-Control-Allow-Origin as the CorsPolicy says.
//
// Anti-CSRF: GET /oauth/authorize sets a random cookie (HttpOnly,
// SameSite=Lax, Path=/oauth, Secure on https); every form carries its tag
// (FormSeal), and a POST without the matching pair is refused with a page.
// The consent form carries a sealed ticket (the checked request, the user,
// 10 minutes) bound to that cookie, so only the browser that signed in can
// approve.
class OAuthRoutes {
 public:
  using Reply = std::function<void(HttpReply)>;

  // `secret`: the token secret, from which the form seal's key is derived.
  OAuthRoutes(AuthorizationServer& server, UserStore& users, LoginThrottle& throttle,
              RegistrationThrottle& registrations, const CorsPolicy& cors, WorkerPool& workers,
              std::string_view secret);

  // False for any other path. Otherwise `reply` is called exactly once, now
  // or later on a worker thread.
  bool handle(const HttpRequestView& request, Reply reply) const;

 private:
  void metadata(const HttpRequestView& request, Reply reply) const;
  void register_client(const HttpRequestView& request, Reply reply) const;
  void authorize_page(const HttpRequestView& request, Reply reply) const;
  void authorize_form(const HttpRequestView& request, Reply reply) const;
  void login(const HttpRequestView& request, const FormFields& form, Reply reply) const;
  void consent(const FormFields& form, std::string_view cookie, Reply reply) const;
  void token(const HttpRequestView& request, Reply reply) const;
  void revoke(const HttpRequestView& request, Reply reply) const;

  AuthorizationServer* server_;
  UserStore* users_;
  LoginThrottle* throttle_;
  RegistrationThrottle* registrations_;
  const CorsPolicy* cors_;
  WorkerPool* workers_;
  FormSeal seal_;
  bool secure_cookie_;
};

}  // namespace blender_bus::auth
