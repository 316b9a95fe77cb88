#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <unordered_map>

#include "delivery/bus_id.hpp"

namespace blender_bus::delivery {

// A bus's activity since this process began (the dashboard's rates).
struct BusActivity {
  std::uint64_t sends = 0;    // blender_send_message calls
  std::uint64_t records = 0;  // records appended
};

// The activity of the buses this process serves, counted by BusService over
// an engine that does not count it itself (the JetStream engine: a cluster
// node counts the sends it serves; the other nodes count theirs). Cost per
// send: a shared lock (exclusive once per bus, its first send) and two
// relaxed atomic adds. Thread-safe.
class ActivityCounts {
 public:
  void count(const BusId& bus, bool send, std::size_t records);
  BusActivity read(const BusId& bus) const;
  // The bus is gone: its counts go with it.
  void forget(const BusId& bus);

 private:
  struct Counts {
    std::atomic<std::uint64_t> sends{0};
    std::atomic<std::uint64_t> records{0};
  };
  static void add(Counts& counts, bool send, std::size_t records);

  mutable std::shared_mutex mutex_;  // guards the map, not the counts
  std::unordered_map<BusId, std::unique_ptr<Counts>> buses_;
};

}  // namespace blender_bus::delivery
