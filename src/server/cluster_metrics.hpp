#pragma once

#include "cluster/cluster.hpp"
#include "metrics/exposition.hpp"
#include "metrics/publish_metrics.hpp"

namespace blender_bus::server {

// A cluster node's own families on /metrics: its NATS connection's state
// (blender_bus_nats_connection_state{state}, 1 for the state it is in and 0
// for the others, so that an alert can match on the label), the live nodes
// it sees, and the publish latency histogram. Read at scrape time without a
// request to NATS.
void write_cluster_metrics(metrics::Exposition& out, const cluster::Cluster& cluster,
                           const metrics::PublishMetrics& publishes);

}  // namespace blender_bus::server
