#include "server/auth_backend.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

namespace blender_bus::server {

AuthBackend::AuthBackend(store::Database& db, const std::filesystem::path& data_dir,
                         auth::PasswordHashCost cost)
    : db_(&db) {
  embedded_.emplace(db, data_dir, cost);
}

AuthBackend::AuthBackend(cluster::Cluster& cluster, store::Database& db,
                         auth::PasswordHashCost cost)
    : db_(&db) {
  hasher_.emplace(cost);
  kv_users_ = std::make_unique<auth_kv::KvUserStore>(cluster, *hasher_);
  kv_refresh_tokens_ = std::make_unique<auth_kv::KvRefreshTokenStore>(cluster, *kv_users_);
  kv_secret_ = std::make_unique<auth_kv::KvSecretStore>(cluster);
  kv_personal_tokens_ = std::make_unique<auth_kv::KvPersonalTokenStore>(cluster);
  kv_oauth_clients_ = std::make_unique<auth_kv::KvOAuthClientStore>(cluster);
  kv_oauth_grants_ =
      std::make_unique<auth_kv::KvOAuthGrantStore>(cluster, *kv_users_, *kv_oauth_clients_);
}

AuthBackend::~AuthBackend() {
  stop_watching();
}

auth::AuthStores AuthBackend::stores() {
  if (kv_users_) {
    return {*kv_users_,           *kv_refresh_tokens_, *kv_secret_,      *hasher_,
            *kv_personal_tokens_, *kv_oauth_clients_,  *kv_oauth_grants_};
  }
  return embedded_->stores();
}

void AuthBackend::watch(auth::UserDirectory& directory,
                        auth::PersonalTokenDirectory& personal_tokens,
                        auth::RevokedGrants& revoked_grants) {
  if (!kv_users_) {
    store_watch_.emplace(*db_, std::chrono::seconds(1),
                         [&directory, &personal_tokens, &revoked_grants] {
                           directory.sync();
                           personal_tokens.sync();
                           revoked_grants.sync();
                         });
    return;
  }
  kv_sync_.emplace(1);
  // A grant revoked anywhere: refused here from the next read of the mirror.
  auto sync_grants = [&revoked_grants] {
    try {
      revoked_grants.sync();
    } catch (const std::exception& error) {
      spdlog::error("re-reading the revoked OAuth grants: {}", error.what());
    }
  };
  kv_oauth_grants_->on_change([this, sync_grants] { boost::asio::post(*kv_sync_, sync_grants); });
  boost::asio::post(*kv_sync_, sync_grants);
  // A token made or revoked anywhere: re-read them all (from the mirror).
  auto sync_tokens = [&personal_tokens] {
    try {
      personal_tokens.sync();
    } catch (const std::exception& error) {
      spdlog::error("re-reading the personal access tokens: {}", error.what());
    }
  };
  kv_personal_tokens_->on_change(
      [this, sync_tokens] { boost::asio::post(*kv_sync_, sync_tokens); });
  boost::asio::post(*kv_sync_, sync_tokens);
  kv_users_->on_user_changed(
      [this, &directory, sync_tokens](const std::optional<std::string>& username) {
        boost::asio::post(*kv_sync_, [&directory, username, sync_tokens] {
          try {
            if (username) {
              directory.sync(*username);
            } else {
              directory.sync();
            }
          } catch (const std::exception& error) {
            spdlog::error("re-reading {} after a change in the cluster: {}",
                          username ? "user '" + *username + "'" : std::string("the users"),
                          error.what());
          }
          sync_tokens();  // a deleted user's tokens go with them
        });
      });
  // Whatever changed between the directory's first read and the watch.
  boost::asio::post(*kv_sync_, [&directory] {
    try {
      directory.sync();
    } catch (const std::exception& error) {
      spdlog::error("re-reading the users: {}", error.what());
    }
  });
}

void AuthBackend::stop_watching() {
  store_watch_.reset();
  if (kv_users_) kv_users_->on_user_changed(nullptr);
  if (kv_personal_tokens_) kv_personal_tokens_->on_change(nullptr);
  if (kv_oauth_grants_) kv_oauth_grants_->on_change(nullptr);
  if (kv_sync_) {
    kv_sync_->join();
    kv_sync_.reset();
  }
}

}  // namespace blender_bus::server
