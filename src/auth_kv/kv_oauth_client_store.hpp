#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "auth/oauth_client_store.hpp"
#include "auth_kv/mirror_progress.hpp"
#include "cluster/cluster.hpp"
#include "nats/kv_bucket.hpp"
#include "nats/kv_mirror.hpp"

namespace blender_bus::auth_kv {

// auth::OAuthClientStore in the cluster's BUS_OAUTH_CLIENTS bucket
// (auth_buckets.hpp), so that a client registered on one node can sign in
// and exchange its code on any node.
//
// Reads come from a mirror of the bucket; a client the mirror does not know
// yet (registered on another node a moment ago) is looked up on the bucket's
// leader. A registration is a create-only write, so a client id is never
// taken twice. Writes return once this node's mirror shows them (bounded by
// 2 s).
//
// Cost: a known client is a memory read; an unknown id a leader read.
class KvOAuthClientStore final : public auth::OAuthClientStore {
 public:
  // Loads the mirror (blocking, up to 30 s). Throws nats::NatsError.
  explicit KvOAuthClientStore(cluster::Cluster& cluster);
  ~KvOAuthClientStore() override;

  bool add(const auth::OAuthClient& client) override;
  void put(const auth::OAuthClient& client) override;
  std::optional<auth::OAuthClient> find(std::string_view client_id) const override;

 private:
  mutable nats::KvBucket bucket_;
  MirrorProgress progress_;
  std::unique_ptr<nats::KvMirror> mirror_;  // last: its callbacks use the above
};

}  // namespace blender_bus::auth_kv
