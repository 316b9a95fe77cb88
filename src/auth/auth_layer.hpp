#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "auth/auth_routes.hpp"
#include "auth/auth_service.hpp"
#include "auth/bearer_authenticator.hpp"
#include "auth/clock.hpp"
#include "auth/login_throttle.hpp"
#include "auth/password_hasher.hpp"
#include "auth/refresh_token_store.hpp"
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
  // Threads hashing passwords and waiting on the store for /auth (0: a
  // quarter of the cores, 2 to 8), and the most requests queued or running
  // there before a 503 (0: eight per thread).
  std::size_t worker_threads = 0;
  std::size_t max_worker_jobs = 0;
};

// Where users, refresh tokens and the generated signing secret live, as the
// composition root chose (the embedded store, or the cluster), and the hasher
// the user store hashes with. Each must outlive the AuthLayer.
struct AuthStores {
  UserStore& users;
  RefreshTokenStore& refresh_tokens;
  SecretStore& secret;
  const PasswordHasher& hasher;
};

// The assembled auth layer over its stores: the token service, the user
// directory (revocation in memory), the bearer authenticator, the login
// throttle, the workers and the /auth routes, wired in the right order.
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

  // Guards /mcp (and /auth/logout, /auth/profile).
  const RequestAuthenticator& authenticator() const { return authenticator_; }
  const AuthRoutes& routes() const { return routes_; }
  const TokenService& tokens() const { return tokens_; }
  UserStore& users() { return users_; }
  RefreshTokenStore& refresh_tokens() { return refresh_tokens_; }
  const PasswordHasher& hasher() const { return hasher_; }
  // Logins refused for bad credentials since start.
  std::uint64_t login_failures() const { return throttle_.failures(); }

 private:
  std::filesystem::path data_dir_;
  const PasswordHasher& hasher_;
  UserStore& users_;
  RefreshTokenStore& refresh_tokens_;
  TokenService tokens_;
  UserDirectory directory_;
  AuthService service_;
  BearerAuthenticator authenticator_;
  LoginThrottle throttle_;
  AuthRoutes routes_;
  // Last, so it is the first to go: its running jobs use everything above.
  WorkerPool workers_;
};

}  // namespace blender_bus::auth
