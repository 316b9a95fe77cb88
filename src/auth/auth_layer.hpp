#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "auth/auth_routes.hpp"
#include "auth/auth_service.hpp"
#include "auth/authorization_server.hpp"
#include "auth/bearer_authenticator.hpp"
#include "auth/client_metadata_resolver.hpp"
#include "auth/clock.hpp"
#include "auth/cors_policy.hpp"
#include "auth/login_throttle.hpp"
#include "auth/oauth_client_store.hpp"
#include "auth/oauth_grant_store.hpp"
#include "auth/oauth_routes.hpp"
#include "auth/oidc_key_set.hpp"
#include "auth/oidc_settings.hpp"
#include "auth/oidc_token_verifier.hpp"
#include "auth/password_hasher.hpp"
#include "auth/personal_token_directory.hpp"
#include "auth/personal_token_store.hpp"
#include "auth/personal_tokens.hpp"
#include "auth/refresh_token_store.hpp"
#include "auth/registration_throttle.hpp"
#include "auth/revoked_grants.hpp"
#include "auth/secret_store.hpp"
#include "auth/token_service.hpp"
#include "auth/user_bootstrap.hpp"
#include "auth/user_directory.hpp"
#include "auth/user_store.hpp"
#include "auth/worker_pool.hpp"

namespace blender_bus::auth {

// Configuration of the auth layer, as the composition root gathered it from
// flags and environment (no getenv below this point).
struct AuthSettings {
  std::filesystem::path data_dir;         // --data-dir; holds initial-admin-password
  std::string issuer;                     // the server's base URL, e.g. "http://127.0.0.1:8000"
  std::optional<std::string> secret_key;  // OAUTH_SECRET_KEY
  std::optional<std::string> access_token_expire_minutes;            // ACCESS_TOKEN_EXPIRE_MINUTES
  std::optional<std::string> refresh_token_expire_days;              // REFRESH_TOKEN_EXPIRE_DAYS
  PasswordHashCost password_cost = PasswordHashCost::interactive();  // for the hasher
  LoginThrottlePolicy throttle;
  RegistrationThrottlePolicy registration_throttle;
  // Which pages elsewhere may call the OAuth metadata, register, token and
  // revoke routes (cors_policy.hpp).
  std::vector<std::string> cors_origins{"*"};
  // Threads hashing passwords and waiting on the store for /auth (0: a
  // quarter of the cores, 2 to 8), and the most requests queued or running
  // there before a 503 (0: eight per thread).
  std::size_t worker_threads = 0;
  std::size_t max_worker_jobs = 0;
  // An external OpenID Connect issuer whose access tokens are accepted too.
  std::optional<OidcSettings> oidc;
  // OAuth clients named by a Client ID Metadata Document URL: accepted with
  // this policy, or (nullopt) refused.
  std::optional<ClientMetadataPolicy> client_metadata = ClientMetadataPolicy{};
};

// Where users, refresh tokens and the generated signing secret live, as the
// composition root chose (the embedded store, or the cluster), and the hasher
// the user store hashes with. Each must outlive the AuthLayer.
struct AuthStores {
  UserStore& users;
  RefreshTokenStore& refresh_tokens;
  SecretStore& secret;
  const PasswordHasher& hasher;
  PersonalTokenStore& personal_tokens;
  // The OAuth authorization server's clients and grants.
  OAuthClientStore& oauth_clients;
  OAuthGrantStore& oauth_grants;
};

// The assembled auth layer over its stores: the token service, the user
// directory (revocation in memory), the bearer authenticator, the login
// throttle, the workers, the /auth routes and the OAuth authorization server
// (its revoked grants in memory, its /oauth routes), wired in the right order.
class AuthLayer {
 public:
  // Throws std::invalid_argument for a bad lifetime value and
  // std::runtime_error when the secret cannot be read or created.
  AuthLayer(AuthStores stores, const AuthSettings& settings, Clock clock = system_clock());
  AuthLayer(const AuthLayer&) = delete;
  AuthLayer& operator=(const AuthLayer&) = delete;

  // ADMIN_PASSWORD / DEMO_PASSWORD, or the first-start admin (user_bootstrap.hpp).
  BootstrapResult bootstrap(const BootstrapConfig& config, std::ostream& out);

  // Waits for the /auth requests being worked on and drops the queued ones
  // (shutdown: before what the directory's listeners use goes away).
  void stop() { workers_.stop(); }

  // Users as every request sees them; the composition root listens to it (to
  // end sessions and purge buses) and syncs it when another process wrote
  // the store.
  UserDirectory& directory() { return directory_; }
  // Personal access tokens as every request sees them; synced and flushed
  // like the directory, and listened to (to end the sessions of a user who
  // lost a token).
  PersonalTokenDirectory& personal_token_directory() { return personal_token_directory_; }
  PersonalTokens& personal_tokens() { return personal_tokens_; }
  // Writes when personal access tokens were last used, on a worker (call it
  // from a timer); false when every worker is taken (the next call catches up).
  bool post_personal_token_flush();

  // Guards /mcp (and /auth/logout, /auth/profile).
  const RequestAuthenticator& authenticator() const { return authenticator_; }
  const AuthRoutes& routes() const { return routes_; }
  // /.well-known/oauth-authorization-server and /oauth/*.
  const OAuthRoutes& oauth_routes() const { return oauth_routes_; }
  // Cross-origin access to those and to the protected-resource metadata.
  const CorsPolicy& cors() const { return cors_; }
  // OAuth grants revoked lately, as every request sees them; synced like the
  // directory, and listened to (to end the sessions of a user who lost one).
  RevokedGrants& revoked_grants() { return revoked_grants_; }
  const TokenService& tokens() const { return tokens_; }
  UserStore& users() { return users_; }
  RefreshTokenStore& refresh_tokens() { return refresh_tokens_; }
  const PasswordHasher& hasher() const { return hasher_; }
  // The external issuer's keys, when one is configured (else null).
  const OidcKeySet* oidc_keys() const { return oidc_keys_.get(); }
  // Logins refused for bad credentials since start.
  std::uint64_t login_failures() const { return throttle_.failures(); }

 private:
  std::filesystem::path data_dir_;
  const PasswordHasher& hasher_;
  UserStore& users_;
  RefreshTokenStore& refresh_tokens_;
  PersonalTokenStore& personal_token_store_;
  OAuthClientStore& oauth_clients_;
  OAuthGrantStore& oauth_grants_;
  TokenService tokens_;
  std::optional<OidcSettings> oidc_settings_;
  std::unique_ptr<OidcKeySet> oidc_keys_;
  std::unique_ptr<OidcTokenVerifier> oidc_verifier_;
  UserDirectory directory_;
  PersonalTokenDirectory personal_token_directory_;
  PersonalTokens personal_tokens_;
  RevokedGrants revoked_grants_;
  std::unique_ptr<ClientMetadataResolver> client_metadata_;
  AuthService service_;
  AuthorizationServer authorization_server_;
  BearerAuthenticator authenticator_;
  LoginThrottle throttle_;
  RegistrationThrottle registration_throttle_;
  CorsPolicy cors_;
  AuthRoutes routes_;
  OAuthRoutes oauth_routes_;
  // Last, so it is the first to go: its running jobs use everything above.
  WorkerPool workers_;
};

}  // namespace blender_bus::auth
