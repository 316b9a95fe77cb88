#pragma once

#include <stdexcept>

namespace blender_bus::cluster {

// A node that cannot join its cluster: NATS unreachable within the wait, no
// JetStream, an asset whose configuration differs in a way that cannot be
// updated, more replicas than servers. The message says what to change.
class ClusterStartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace blender_bus::cluster
