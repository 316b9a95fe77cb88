#pragma once

#include <boost/asio/thread_pool.hpp>
#include <filesystem>
#include <memory>
#include <optional>

#include "auth/auth_layer.hpp"
#include "auth/embedded_auth_stores.hpp"
#include "auth/password_hasher.hpp"
#include "auth/personal_token_directory.hpp"
#include "auth/personal_token_store.hpp"
#include "auth/revoked_grants.hpp"
#include "auth/user_directory.hpp"
#include "auth_kv/kv_oauth_client_store.hpp"
#include "auth_kv/kv_oauth_grant_store.hpp"
#include "auth_kv/kv_personal_token_store.hpp"
#include "auth_kv/kv_refresh_token_store.hpp"
#include "auth_kv/kv_secret_store.hpp"
#include "auth_kv/kv_user_store.hpp"
#include "cluster/cluster.hpp"
#include "store/database.hpp"
#include "store/external_change_watch.hpp"

namespace blender_bus::server {

// The stores auth runs on, as this server was started: the embedded store
// in the data directory (users, refresh tokens, secret.key), or, for a
// cluster node, the cluster's KV, so that a login on one node is valid on
// every node. Also how the user directory hears of changes made elsewhere.
class AuthBackend {
 public:
  AuthBackend(store::Database& db, const std::filesystem::path& data_dir,
              auth::PasswordHashCost cost);
  // Throws nats::NatsError when the users or tokens cannot be loaded.
  // Personal access tokens and the OAuth clients and grants live in the
  // cluster too.
  AuthBackend(cluster::Cluster& cluster, store::Database& db, auth::PasswordHashCost cost);
  ~AuthBackend();
  AuthBackend(const AuthBackend&) = delete;
  AuthBackend& operator=(const AuthBackend&) = delete;

  auth::AuthStores stores();

  // Starts keeping `directory` current with what others change (`user
  // passwd|del`, another node's logout): the embedded store is polled once
  // a second and re-read when another process wrote it; the cluster's
  // changes arrive by its KV watch, one user each, re-read on a thread of
  // this object's own (a changed OAuth grant re-reads the revoked grants).
  // Revoked users' sessions end through the directory's listeners.
  void watch(auth::UserDirectory& directory, auth::PersonalTokenDirectory& personal_tokens,
             auth::RevokedGrants& revoked_grants);
  // Stops that, waiting for a re-read in progress (before the directory goes).
  void stop_watching();

 private:
  store::Database* db_ = nullptr;
  std::optional<auth::EmbeddedAuthStores> embedded_;
  std::optional<auth::PasswordHasher> hasher_;  // the cluster's stores' (embedded_ has its own)
  std::unique_ptr<auth_kv::KvUserStore> kv_users_;
  std::unique_ptr<auth_kv::KvRefreshTokenStore> kv_refresh_tokens_;
  std::unique_ptr<auth_kv::KvSecretStore> kv_secret_;
  std::unique_ptr<auth_kv::KvPersonalTokenStore> kv_personal_tokens_;
  std::unique_ptr<auth_kv::KvOAuthClientStore> kv_oauth_clients_;
  std::unique_ptr<auth_kv::KvOAuthGrantStore> kv_oauth_grants_;
  std::optional<store::ExternalChangeWatch> store_watch_;
  std::optional<boost::asio::thread_pool> kv_sync_;
};

}  // namespace blender_bus::server
