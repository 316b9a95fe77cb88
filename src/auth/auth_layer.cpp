#include "auth/auth_layer.hpp"

#include "auth/secret_key.hpp"

namespace blender_bus::auth {

namespace {

TokenConfig token_config(const AuthSettings& settings) {
  TokenConfig config;
  config.issuer = settings.issuer;
  apply_token_lifetimes(config, settings.access_token_expire_minutes,
                        settings.refresh_token_expire_days);
  config.secret = load_or_create_secret_key(settings.secret_key, settings.data_dir);
  return config;
}

}  // namespace

AuthLayer::AuthLayer(store::Database& db, const AuthSettings& settings, Clock clock)
    : data_dir_(settings.data_dir),
      hasher_(settings.password_cost),
      users_(db, hasher_, clock),
      refresh_tokens_(db),
      tokens_(token_config(settings), clock),
      service_(users_, refresh_tokens_, tokens_),
      authenticator_(tokens_),
      routes_(service_, authenticator_) {}

BootstrapResult AuthLayer::bootstrap(const BootstrapConfig& config, std::ostream& out) {
  return bootstrap_users(users_, refresh_tokens_, data_dir_, config, out);
}

}  // namespace blender_bus::auth
