#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/clock.hpp"
#include "auth/password_hasher.hpp"
#include "auth/user_store.hpp"
#include "auth_kv/mirror_progress.hpp"
#include "cluster/cluster.hpp"
#include "nats/change_listener.hpp"
#include "nats/kv_bucket.hpp"
#include "nats/kv_mirror.hpp"

namespace blender_bus::auth_kv {

// A user's two token generations (auth_buckets.hpp): access tokens carry
// `access`, refresh tokens were issued under `refresh`; moving one on
// revokes every token issued under the old value.
struct TokenGenerations {
  std::uint64_t access = 0;
  std::uint64_t refresh = 0;
};

// auth::UserStore in the cluster's BUS_AUTH bucket, so that a user added,
// changed or logged out on one node is so on every node.
//
// Reads come from a mirror of the bucket (in memory, a round trip behind
// the writes of other nodes); a user the mirror does not have is looked up
// once at the bucket's leader before the answer is "no such user" (a user
// added a moment ago elsewhere). Writes are conditional (compare and set on
// the key's revision), so concurrent writers never lose an update; each
// returns once this node's mirror shows it (bounded by 2 s), so what this
// node just changed is what its next read sees.
//
// A change to a user or their generations, by whoever wrote it (another
// node, `blender-bus user --cluster`), reaches on_user_changed's listener
// on every node about a round trip later: the composition root re-reads the
// user there (auth::UserDirectory::sync), which ends a revoked user's
// sessions.
//
// Cost: a login reads memory only; add is one write, set_password and
// remove are three (a leader read, the generation, the user), logout two.
class KvUserStore final : public auth::UserStore {
 public:
  // Loads the mirror (blocking, up to 30 s). Throws nats::NatsError.
  KvUserStore(cluster::Cluster& cluster, const auth::PasswordHasher& hasher,
              auth::Clock clock = auth::system_clock());
  ~KvUserStore() override;

  bool add(std::string_view username, std::string_view password,
           const std::vector<std::string>& roles, const std::vector<std::string>& scopes) override;
  bool set_password(std::string_view username, std::string_view password) override;
  bool remove(std::string_view username) override;
  bool revoke_access_tokens(std::string_view username) override;
  std::optional<auth::UserRecord> find(std::string_view username) const override;
  std::vector<auth::UserRecord> list() const override;
  std::size_t count() const override;
  std::optional<auth::UserRecord> verify_credentials(std::string_view username,
                                                     std::string_view password) const override;

  // For the refresh tokens (KvRefreshTokenStore): the user's generations (a
  // leader read), and moving the refresh generation on.
  TokenGenerations generations(std::string_view username) const;
  void revoke_refresh_tokens(std::string_view username);

  // `listener(username)` is called for each change to a user or their
  // generations (nullopt: a user whose name the key does not spell, a name
  // too long for a key token; re-read them all), on a nats.c delivery
  // thread: it must not block (post the work elsewhere). One listener;
  // once this returns, the one before is not running and never called again.
  void on_user_changed(std::function<void(const std::optional<std::string>&)> listener);

 private:
  struct Stored {
    auth::UserRecord record;
    std::string password_hash;
    std::uint64_t revision = 0;
  };
  enum class Which { access, refresh };

  std::optional<Stored> read(std::string_view username, bool leader) const;
  void bump(std::string_view username, Which which);
  void note(const nats::KvEntry& entry);

  const auth::PasswordHasher& hasher_;
  auth::Clock clock_;
  mutable nats::KvBucket bucket_;

  MirrorProgress progress_;
  nats::ChangeListener<const std::optional<std::string>&> listener_;

  std::unique_ptr<nats::KvMirror> mirror_;  // last: its callbacks use the above
};

// Bucket keys.
std::string user_key(std::string_view username);
std::string generation_key(std::string_view username);

}  // namespace blender_bus::auth_kv
