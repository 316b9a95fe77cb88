#pragma once

#include <chrono>

#include "metrics/exposition.hpp"
#include "metrics/histogram.hpp"
#include "metrics/thread_shards.hpp"

namespace blender_bus::metrics {

// blender_bus_nats_publish_seconds: the time from a cluster node's publish
// to its JetStream ack (records, directory writes, heartbeats: everything
// the node stores), in per-thread shards as ServerMetrics keeps its
// counters. Observed on nats.c's ack thread: two adds, no lock.
class PublishMetrics {
 public:
  PublishMetrics();

  void observe(std::chrono::nanoseconds elapsed) const { latency_.observe(shards_, elapsed); }

  void write(Exposition& out) const;

 private:
  Histogram latency_;
  mutable ThreadShards shards_;
};

}  // namespace blender_bus::metrics
