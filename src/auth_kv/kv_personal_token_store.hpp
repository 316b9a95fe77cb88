#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/personal_token_store.hpp"
#include "auth_kv/mirror_progress.hpp"
#include "cluster/cluster.hpp"
#include "nats/change_listener.hpp"
#include "nats/kv_bucket.hpp"
#include "nats/kv_mirror.hpp"

namespace blender_bus::auth_kv {

// auth::PersonalTokenStore in the cluster's BUS_PATS bucket
// (auth_buckets.hpp), so that a token made on one node (or by `blender-bus
// token --cluster`) works on every node and one revoked anywhere is refused
// everywhere.
//
// Reads come from a mirror of the bucket (in memory). A token's name is
// claimed with a create-only write of its name key, so two nodes making the
// same name at once cannot both win. Writes return once this node's mirror
// shows them (bounded by 2 s), so this node's next sync sees what it just
// did. A last-use write is conditional on the token's revision, so it never
// brings back a token revoked meanwhile.
//
// Every change, by whoever wrote it, reaches on_change's listener on every
// node about a round trip later: the composition root re-reads the tokens
// there (auth::PersonalTokenDirectory::sync), which ends the sessions of a
// user who lost one.
//
// Cost: a request reads the directory only; add is two writes, remove two,
// a sync reads memory.
class KvPersonalTokenStore final : public auth::PersonalTokenStore {
 public:
  // Loads the mirror (blocking, up to 30 s). Throws nats::NatsError.
  explicit KvPersonalTokenStore(cluster::Cluster& cluster);
  ~KvPersonalTokenStore() override;

  bool add(std::string_view token_hash, const auth::PersonalTokenRecord& record) override;
  std::vector<auth::PersonalTokenRecord> list(std::string_view username) const override;
  std::vector<auth::PersonalTokenGrant> grants(std::int64_t now) override;
  bool remove(std::string_view username, std::string_view name) override;
  int remove_user(std::string_view username) override;
  void record_use(const std::vector<std::pair<std::string, std::int64_t>>& uses) override;

  // `listener()` is called for each change to a token, on a nats.c delivery
  // thread: it must not block (post the work elsewhere). One listener; once
  // this returns, the one before is not running and never called again.
  void on_change(std::function<void()> listener);

 private:
  struct Stored {
    auth::PersonalTokenGrant grant;  // roles empty
    std::uint64_t revision = 0;
  };
  // Every token in the mirror.
  std::vector<Stored> stored() const;
  // Deletes the token and its name key; false when it was gone already.
  bool erase(const Stored& token);
  void note(const nats::KvEntry& entry);

  mutable nats::KvBucket bucket_;
  MirrorProgress progress_;
  nats::ChangeListener<> listener_;
  std::unique_ptr<nats::KvMirror> mirror_;  // last: its callbacks use the above
};

}  // namespace blender_bus::auth_kv
