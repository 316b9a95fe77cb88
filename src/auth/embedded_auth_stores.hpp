#pragma once

#include <filesystem>

#include "auth/auth_layer.hpp"
#include "auth/clock.hpp"
#include "auth/password_hasher.hpp"
#include "auth/secret_file.hpp"
#include "auth/sqlite_oauth_client_store.hpp"
#include "auth/sqlite_oauth_grant_store.hpp"
#include "auth/sqlite_personal_token_store.hpp"
#include "auth/sqlite_refresh_token_store.hpp"
#include "auth/sqlite_user_store.hpp"
#include "store/database.hpp"

namespace blender_bus::auth {

// The single node's auth stores: users, refresh tokens and personal access
// tokens in the embedded store, the generated secret in `<data_dir>/secret.key`, and the hasher.
// The database must outlive it.
class EmbeddedAuthStores {
 public:
  EmbeddedAuthStores(store::Database& db, const std::filesystem::path& data_dir,
                     PasswordHashCost cost, Clock clock = system_clock())
      : hasher_(cost),
        users_(db, hasher_, std::move(clock)),
        refresh_tokens_(db),
        personal_tokens_(db),
        oauth_clients_(db),
        oauth_grants_(db),
        secret_(data_dir) {}
  EmbeddedAuthStores(const EmbeddedAuthStores&) = delete;
  EmbeddedAuthStores& operator=(const EmbeddedAuthStores&) = delete;

  AuthStores stores() {
    return {users_,           refresh_tokens_, secret_,      hasher_,
            personal_tokens_, oauth_clients_,  oauth_grants_};
  }

 private:
  PasswordHasher hasher_;
  SqliteUserStore users_;
  SqliteRefreshTokenStore refresh_tokens_;
  SqlitePersonalTokenStore personal_tokens_;
  SqliteOAuthClientStore oauth_clients_;
  SqliteOAuthGrantStore oauth_grants_;
  SecretFile secret_;
};

}  // namespace blender_bus::auth
