#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "nats/kv_spec.hpp"
#include "nats/stream_spec.hpp"

namespace blender_bus::cluster {

// How a node joins its cluster (`serve --cluster URLS --node-name NAME
// [--cluster-replicas N]`), as the composition root gathered it.
struct ClusterOptions {
  // nats://host:port of the NATS servers (any subset of the deployment will
  // do: the servers tell the client about the others).
  std::vector<std::string> servers;
  // This node's name: unique in the cluster, one subject token
  // (nats::encode_subject_token), shown by /health and the servers' monitoring.
  std::string node_name;
  // Replicas of every stream and bucket this node creates (1, or 3 on a
  // three-server NATS cluster: then one server may fail).
  int replicas = 1;
  // How long the start waits for a first NATS connection before it gives up.
  std::chrono::milliseconds connect_wait{30000};
  // How long provisioning may wait out transient failures (no JetStream
  // meta leader yet: a NATS cluster that is still electing one).
  std::chrono::milliseconds provision_wait{30000};

  // The streams and buckets the node's engines need (each engine names its
  // own; the composition root gathers them). The node registry's bucket is
  // added by Cluster itself. Their replicas are set to `replicas`.
  std::vector<nats::StreamSpec> streams;
  std::vector<nats::KvSpec> buckets;

  // Node heartbeats (NodeRegistry): a node writes its key every
  // heartbeat_interval, and one not heard from for dead_after is dead.
  std::chrono::milliseconds heartbeat_interval{5000};
  std::chrono::milliseconds dead_after{30000};

  // Told the time from publish to JetStream ack of every message this
  // node's publisher stores (nats::Publisher::Options::on_acked): metrics.
  std::function<void(std::chrono::nanoseconds)> publish_acked;
};

// How far start-up goes with the assets.
enum class Provisioning {
  // Create what is missing, and update or refuse what differs (a node).
  ensure,
  // Create what is missing; leave what exists as it is (a command-line tool,
  // which must not change the replicas the nodes chose).
  create_missing,
};

}  // namespace blender_bus::cluster
