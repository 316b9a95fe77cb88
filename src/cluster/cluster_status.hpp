#pragma once

#include <string>
#include <vector>

#include "nats/connection_event.hpp"

namespace blender_bus::cluster {

// What /health says of the cluster, read without a request to NATS.
struct ClusterStatus {
  std::string node;
  nats::ConnectionState nats = nats::ConnectionState::connecting;
  std::string server;           // the NATS server connected to; empty when none
  bool jetstream = false;       // this node's last heartbeat was stored (JetStream and KV work)
  std::string jetstream_error;  // why not, when not
  int replicas = 1;
  std::vector<std::string> live_nodes;  // by name, this node included once heard
};

}  // namespace blender_bus::cluster
