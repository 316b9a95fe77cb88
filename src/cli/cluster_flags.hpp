#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cluster/cluster_options.hpp"

namespace blender_bus::cli {

// The flags by which a command reaches a cluster's KV directly (no node
// needed): --cluster URLS (excluding --data-dir), --cluster-replicas for
// buckets it has to make, --cluster-wait.
struct ClusterFlags {
  std::vector<std::string> servers;  // empty: the data directory
  int replicas = 1;
  unsigned wait_seconds = 30;
};

// Adds them to `leaf`; `what` says what lives there ("the users").
void add_cluster_flags(CLI::App& leaf, ClusterFlags& flags, CLI::Option* data_dir,
                       const std::string& what);

// The options to open the cluster with, for a tool that needs `buckets`
// and `streams`: made when missing (open with Provisioning::create_missing)
// and left as they are otherwise (the nodes chose their replicas).
cluster::ClusterOptions tool_cluster_options(const ClusterFlags& flags,
                                             std::vector<nats::KvSpec> buckets,
                                             std::vector<nats::StreamSpec> streams = {});

// The same, with the auth buckets.
cluster::ClusterOptions auth_cluster_options(const ClusterFlags& flags);

}  // namespace blender_bus::cli
