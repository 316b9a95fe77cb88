#include "auth/auth_layer.hpp"

#include <spdlog/spdlog.h>

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
      personal_token_store_(stores.personal_tokens),
      oauth_clients_(stores.oauth_clients),
      oauth_grants_(stores.oauth_grants),
      tokens_(token_config(settings, stores.secret), clock),
      oidc_settings_(settings.oidc),
      oidc_keys_(oidc_settings_ ? std::make_unique<OidcKeySet>(*oidc_settings_) : nullptr),
      oidc_verifier_(oidc_keys_
                         ? std::make_unique<OidcTokenVerifier>(*oidc_settings_, *oidc_keys_, clock)
                         : nullptr),
      directory_(users_),
      personal_token_directory_(personal_token_store_, users_, clock),
      personal_tokens_(personal_token_store_, users_, clock),
      revoked_grants_(oauth_grants_, tokens_.config().access_lifetime, clock),
      client_metadata_(settings.client_metadata
                           ? std::make_unique<ClientMetadataResolver>(*settings.client_metadata)
                           : nullptr),
      service_(users_, refresh_tokens_, tokens_, directory_),
      authorization_server_(oauth_clients_, oauth_grants_, users_, directory_, revoked_grants_,
                            tokens_, client_metadata_.get()),
      authenticator_(tokens_, directory_, personal_token_directory_,
                     authorization_server_.resource(), &revoked_grants_),
      throttle_(settings.throttle),
      registration_throttle_(settings.registration_throttle),
      cors_(settings.cors_origins),
      routes_(service_, authenticator_, throttle_, workers_,
              PersonalTokenAccess{personal_tokens_, personal_token_directory_}),
      oauth_routes_(authorization_server_, users_, throttle_, registration_throttle_, cors_,
                    workers_, tokens_.config().secret),
      workers_(worker_threads(settings), max_worker_jobs(settings)) {
  if (oidc_verifier_) authenticator_.accept_external(*oidc_verifier_);
}

bool AuthLayer::post_personal_token_flush() {
  return workers_.try_post([this] {
    try {
      personal_token_directory_.flush_uses();
    } catch (const std::exception& e) {
      spdlog::warn("auth: recording when personal access tokens were used failed: {}", e.what());
    }
  });
}

BootstrapResult AuthLayer::bootstrap(const BootstrapConfig& config, std::ostream& out) {
  BootstrapResult result = bootstrap_users(users_, refresh_tokens_, data_dir_, config, out);
  directory_.sync();
  personal_token_directory_.sync();
  revoked_grants_.sync();
  return result;
}

}  // namespace blender_bus::auth
