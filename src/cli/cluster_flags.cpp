#include "cli/cluster_flags.hpp"

#include "auth/token_config.hpp"
#include "auth_kv/auth_buckets.hpp"
#include "cluster/cluster.hpp"

namespace blender_bus::cli {

void add_cluster_flags(CLI::App& leaf, ClusterFlags& flags, CLI::Option* data_dir,
                       const std::string& what) {
  CLI::Option* cluster =
      leaf.add_option("--cluster", flags.servers,
                      "NATS servers of a cluster (nats://H:P[,...]): " + what + " live there")
          ->excludes(data_dir);
  leaf.add_option("--cluster-replicas", flags.replicas,
                  "Replicas of the buckets and streams if this command creates them")
      ->check(CLI::Range(1, 5))
      ->needs(cluster)
      ->capture_default_str();
  leaf.add_option("--cluster-wait", flags.wait_seconds, "Seconds to wait for NATS before giving up")
      ->check(CLI::Range(1u, 3600u))
      ->needs(cluster)
      ->capture_default_str();
}

cluster::ClusterOptions tool_cluster_options(const ClusterFlags& flags,
                                             std::vector<nats::KvSpec> buckets,
                                             std::vector<nats::StreamSpec> streams) {
  cluster::ClusterOptions options;
  options.servers = cluster::parse_server_urls(flags.servers);
  options.replicas = flags.replicas;
  options.connect_wait = std::chrono::seconds(flags.wait_seconds);
  options.provision_wait = options.connect_wait;
  options.buckets = std::move(buckets);
  options.streams = std::move(streams);
  return options;
}

cluster::ClusterOptions auth_cluster_options(const ClusterFlags& flags) {
  return tool_cluster_options(flags, auth_kv::auth_buckets(auth::TokenConfig{}.refresh_lifetime));
}

}  // namespace blender_bus::cli
