#include "auth/auth_layer.hpp"

#include <algorithm>
#include <thread>

#include "auth/secret_key.hpp"

namespace blender_bus::auth {

namespace {

TokenConfig token_config(const AuthSettings& settings, SecretStore& secret) {
  TokenConfig config;
  config.issuer = settings.issuer;
  apply_token_lifetimes(config, settings.access_token_expire_minutes,
                        settings.refresh_token_expire_days);
  config.secret = signing_secret(settings.secret_key, secret);
  return config;
}

std::size_t worker_threads(const AuthSettings& settings) {
  if (settings.worker_threads != 0) return settings.worker_threads;
  return std::clamp<std::size_t>(std::thread::hardware_concurrency() / 4, 2, 8);
}

std::size_t max_worker_jobs(const AuthSettings& settings) {
  if (settings.max_worker_jobs != 0) return settings.max_worker_jobs;
  return 8 * worker_threads(settings);
}

}  // namespace

AuthLayer::AuthLayer(AuthStores stores, const AuthSettings& settings, Clock clock)
    : data_dir_(settings.data_dir),
      hasher_(stores.hasher),
      users_(stores.users),
      refresh_tokens_(stores.refresh_tokens),
      tokens_(token_config(settings, stores.secret), clock),
      directory_(users_),
      service_(users_, refresh_tokens_, tokens_, directory_),
      authenticator_(tokens_, directory_),
      throttle_(settings.throttle),
      routes_(service_, authenticator_, throttle_, workers_),
      workers_(worker_threads(settings), max_worker_jobs(settings)) {}

BootstrapResult AuthLayer::bootstrap(const BootstrapConfig& config, std::ostream& out) {
  BootstrapResult result = bootstrap_users(users_, refresh_tokens_, data_dir_, config, out);
  directory_.sync();
  return result;
}

}  // namespace blender_bus::auth
