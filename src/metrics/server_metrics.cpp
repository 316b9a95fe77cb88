#include "metrics/server_metrics.hpp"

namespace blender_bus::metrics {

namespace {

// A commit takes from tens of microseconds (a few rows) to seconds (a busy
// lock waited out, an fsync on a slow disk).
const Buckets kCommitBuckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                             0.025,  0.05,    0.1,    0.25,  1,      5};

}  // namespace

ServerMetrics::ServerMetrics()
    : store_commit_(kCommitBuckets, kCounterSlots),
      shards_(kCounterSlots + Histogram::slots_for(kCommitBuckets)) {}

void ServerMetrics::write(Exposition& out) const {
  const std::vector<std::uint64_t> sums = shards_.sum();
  out.family("blender_bus_sends_total", "counter",
             "blender_send_message calls that routed, by routing type");
  for (std::size_t i = 0; i < kSendRoutingNames.size(); ++i) {
    out.sample("blender_bus_sends_total", {{"routing", kSendRoutingNames[i]}}, sums[i]);
  }
  out.family("blender_bus_records_delivered_total", "counter",
             "Records written to a client's stream or returned by a pull");
  out.sample("blender_bus_records_delivered_total", {}, sums[kDeliveredSlot]);
  out.family("blender_bus_store_commit_seconds", "histogram",
             "Time of one group commit of the embedded store");
  out.histogram("blender_bus_store_commit_seconds", {}, store_commit_.buckets(),
                store_commit_.read(sums));
}

}  // namespace blender_bus::metrics
