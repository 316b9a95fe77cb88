#pragma once

#include <memory>
#include <string>

#include "cluster/cluster.hpp"
#include "nats/kv_mirror.hpp"

namespace blender_bus::auth_kv {

// A mirror of `bucket` once it holds the bucket's contents: making its
// consumer needs the bucket's leader, so an election is waited out; both
// steps together take at most about 30 s. Throws nats::NatsError, naming
// `what` ("the users") when the contents do not arrive in time.
std::unique_ptr<nats::KvMirror> load_mirror(cluster::Cluster& cluster, const std::string& bucket,
                                            nats::KvMirror::Callbacks callbacks,
                                            const std::string& what);

}  // namespace blender_bus::auth_kv
