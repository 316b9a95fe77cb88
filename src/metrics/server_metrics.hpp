#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "metrics/exposition.hpp"
#include "metrics/histogram.hpp"
#include "metrics/thread_shards.hpp"

namespace blender_bus::metrics {

// How a send picked its recipients, as its `routing.type` says (SPEC §7).
enum class SendRouting : std::size_t { direct, group, type_filter, broadcast };
inline constexpr std::array<std::string_view, 4> kSendRoutingNames{"direct", "group", "type_filter",
                                                                   "broadcast"};

// The counters and the commit histogram the server records as it works,
// each thread in its own shard (ThreadShards): recording takes no lock and
// allocates nothing, a scrape sums. What a scrape can compute from the state
// itself (sessions, clients, inboxes, open jobs, dropped records) is not here.
// Recording is const: the shards are the one mutable part, and thread-safe.
class ServerMetrics {
 public:
  ServerMetrics();

  void count_send(SendRouting routing) const { shards_.add(static_cast<std::size_t>(routing)); }
  // Records written to a stream or handed to a pull.
  void count_delivered(std::uint64_t records) const { shards_.add(kDeliveredSlot, records); }
  void observe_store_commit(std::chrono::nanoseconds elapsed) const {
    store_commit_.observe(shards_, elapsed);
  }

  // blender_bus_sends_total, _records_delivered_total, _store_commit_seconds.
  void write(Exposition& out) const;

 private:
  static constexpr std::size_t kDeliveredSlot = kSendRoutingNames.size();
  static constexpr std::size_t kCounterSlots = kDeliveredSlot + 1;

  Histogram store_commit_;
  mutable ThreadShards shards_;
};

}  // namespace blender_bus::metrics
