#pragma once

#include "auth/secret_store.hpp"
#include "cluster/cluster.hpp"
#include "nats/kv_bucket.hpp"

namespace blender_bus::auth_kv {

// The generated signing secret in the cluster (BUS_AUTH, key
// secret.signing): the first node to start creates it (a create-if-absent
// write), every other node, and a node started again with its data
// directory gone, reads that one, so tokens signed by any node verify on all.
class KvSecretStore final : public auth::SecretStore {
 public:
  explicit KvSecretStore(cluster::Cluster& cluster);
  std::string load_or_create() override;

 private:
  nats::KvBucket bucket_;
};

}  // namespace blender_bus::auth_kv
