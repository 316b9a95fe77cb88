#include "metrics/publish_metrics.hpp"

namespace blender_bus::metrics {

namespace {

// An ack takes a round trip to the stream's leader and, with replicas, its
// quorum's (hundreds of microseconds on one host); seconds while a stream
// elects a leader or the connection is lost and the publisher retries.
const Buckets kPublishBuckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                              0.025,  0.05,    0.1,    0.25,  1,      5,     15};

}  // namespace

PublishMetrics::PublishMetrics()
    : latency_(kPublishBuckets, 0), shards_(Histogram::slots_for(kPublishBuckets)) {}

void PublishMetrics::write(Exposition& out) const {
  out.family("blender_bus_nats_publish_seconds", "histogram",
             "Time from a publish to its JetStream ack, retries included (cluster mode)");
  out.histogram("blender_bus_nats_publish_seconds", {}, latency_.buckets(),
                latency_.read(shards_.sum()));
}

}  // namespace blender_bus::metrics
