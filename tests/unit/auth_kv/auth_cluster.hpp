#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "auth_kv/auth_buckets.hpp"
#include "cluster/cluster.hpp"

namespace blender_bus::auth_kv::testing {

// A node's membership of the test's NATS servers, with the auth buckets.
inline std::unique_ptr<cluster::Cluster> make_auth_cluster(const std::vector<std::string>& urls) {
  cluster::ClusterOptions o;
  o.servers = urls;
  o.connect_wait = std::chrono::seconds(5);
  o.buckets = auth_buckets(std::chrono::hours(24 * 7));
  return std::make_unique<cluster::Cluster>(o);
}

}  // namespace blender_bus::auth_kv::testing
