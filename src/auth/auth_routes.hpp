#pragma once

#include <functional>
#include <string_view>

#include "auth/auth_service.hpp"
#include "auth/http_exchange.hpp"
#include "auth/login_throttle.hpp"
#include "auth/personal_token_directory.hpp"
#include "auth/personal_tokens.hpp"
#include "auth/request_authenticator.hpp"
#include "auth/worker_pool.hpp"

namespace blender_bus::auth {

// The /auth routes of SPEC §2, on transport-neutral requests:
//   POST /auth/login    {"username","password"} → tokens and user
//   POST /auth/refresh  {"refresh_token"}       → new access and refresh token
//   POST /auth/logout   (bearer)                → {"message":"Logged out"}
//   GET  /auth/profile  (bearer)                → {"user_id","username","roles","scopes"}
//   GET  /auth/tokens   (login bearer)          → {"tokens":[{name, scopes, created_at,
//                                                  expires_at, last_used_at}]}, never a secret
//   POST /auth/tokens   {"name", "scopes"?, "expires"?: "90d"|"never"} (login bearer)
//                                               → 201 {"token", "token_type", name, ...}
//   DELETE /auth/tokens/{name} (login bearer)   → {"message":"Token revoked"}
// Times there are Unix seconds, null for never. A personal access token or
// an OAuth token may not manage tokens, nor log out (403, 400); one without `read` or `write`
// may not read the profile (403).
// Every error body is {"detail": "..."}: 400 for a body that is not a JSON
// object or has a field of the wrong type, 401 for credentials and tokens,
// 405 (with Allow) for a known path with another method, 429 (with
// Retry-After) for a login the LoginThrottle bars, 503 (with Retry-After)
// when every worker is taken, 500 when the store fails (logged).
//
// Hashing and the store run on the WorkerPool, never on the caller's (I/O)
// thread; parsing, the throttle and the bearer check run on the caller's.
//
// Every 401 carries `WWW-Authenticate: Bearer` only; the transport, which
// knows the request's base URL, replaces it with www_authenticate_challenge()
// as it does for its own 401s. Token responses carry Cache-Control: no-store
// (RFC 6749 §5.1). Content-Type is application/json, left to the transport.
// What the /auth/tokens routes work with: the rules, and the directory that
// every request's token is checked against (synced after each change).
struct PersonalTokenAccess {
  PersonalTokens& tokens;
  PersonalTokenDirectory& directory;
};

class AuthRoutes {
 public:
  using Reply = std::function<void(HttpReply)>;

  // `authenticator` guards /auth/logout and /auth/profile (normally the
  // BearerAuthenticator that guards /mcp).
  AuthRoutes(AuthService& service, const RequestAuthenticator& authenticator,
             LoginThrottle& throttle, WorkerPool& workers, PersonalTokenAccess personal_tokens)
      : service_(&service),
        authenticator_(&authenticator),
        throttle_(&throttle),
        workers_(&workers),
        personal_tokens_(personal_tokens) {}

  // False for any other path (the transport goes on routing). Otherwise
  // `reply` is called exactly once: before handle() returns when the answer
  // needs neither hashing nor the store, else later on a worker thread.
  bool handle(const HttpRequestView& request, Reply reply) const;

 private:
  void login(const HttpRequestView& request, Reply reply) const;
  void refresh(const HttpRequestView& request, Reply reply) const;
  void logout(const HttpRequestView& request, Reply reply) const;
  void profile(const HttpRequestView& request, Reply reply) const;
  void list_tokens(const HttpRequestView& request, Reply reply) const;
  void create_token(const HttpRequestView& request, Reply reply) const;
  void revoke_token(const HttpRequestView& request, std::string name, Reply reply) const;
  // Runs `work` on a worker and replies with its answer: 500 when it throws
  // (logged), 503 when no worker is free; `abandoned` runs in both cases, so
  // the caller can release what it reserved.
  void on_worker(std::string path, std::function<HttpReply()> work, Reply reply,
                 std::function<void()> abandoned = {}) const;

  AuthService* service_;
  const RequestAuthenticator* authenticator_;
  LoginThrottle* throttle_;
  WorkerPool* workers_;
  PersonalTokenAccess personal_tokens_;
};

}  // namespace blender_bus::auth
