#include "server/cluster_metrics.hpp"

#include <cstdint>

namespace blender_bus::server {

void write_cluster_metrics(metrics::Exposition& out, const cluster::Cluster& cluster,
                           const metrics::PublishMetrics& publishes) {
  const cluster::ClusterStatus status = cluster.status();
  out.family("blender_bus_nats_connection_state", "gauge",
             "This node's NATS connection: 1 for the state it is in, 0 for the others");
  for (const auto state : {nats::ConnectionState::connecting, nats::ConnectionState::connected,
                           nats::ConnectionState::reconnecting, nats::ConnectionState::closed}) {
    out.sample("blender_bus_nats_connection_state", {{"state", nats::to_string(state)}},
               std::uint64_t{state == status.nats ? 1u : 0u});
  }
  out.family("blender_bus_cluster_nodes_live", "gauge",
             "Nodes of the cluster this node hears heartbeats from, itself included");
  out.sample("blender_bus_cluster_nodes_live", {},
             static_cast<std::uint64_t>(status.live_nodes.size()));
  publishes.write(out);
}

}  // namespace blender_bus::server
