#include "server/auth_backend.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

namespace blender_bus::server {

AuthBackend::AuthBackend(store::Database& db, const std::filesystem::path& data_dir,
                         auth::PasswordHashCost cost)
    : db_(&db) {
  embedded_.emplace(db, data_dir, cost);
}

AuthBackend::AuthBackend(cluster::Cluster& cluster, auth::PasswordHashCost cost) {
  hasher_.emplace(cost);
  kv_users_ = std::make_unique<auth_kv::KvUserStore>(cluster, *hasher_);
  kv_refresh_tokens_ = std::make_unique<auth_kv::KvRefreshTokenStore>(cluster, *kv_users_);
  kv_secret_ = std::make_unique<auth_kv::KvSecretStore>(cluster);
}

AuthBackend::~AuthBackend() {
  stop_watching();
}

auth::AuthStores AuthBackend::stores() {
  if (kv_users_) return {*kv_users_, *kv_refresh_tokens_, *kv_secret_, *hasher_};
  return embedded_->stores();
}

void AuthBackend::watch(auth::UserDirectory& directory) {
  if (!kv_users_) {
    store_watch_.emplace(*db_, std::chrono::seconds(1), [&directory] { directory.sync(); });
    return;
  }
  kv_sync_.emplace(1);
  kv_users_->on_user_changed([this, &directory](const std::optional<std::string>& username) {
    boost::asio::post(*kv_sync_, [&directory, username] {
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
  if (kv_sync_) {
    kv_sync_->join();
    kv_sync_.reset();
  }
}

}  // namespace blender_bus::server
