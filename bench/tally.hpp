#pragma once

#include <cstdint>
#include <vector>

namespace blender_bus::bench {

// What every receiver of a scenario adds to: records seen, when the last one
// came, and (while recording) each record's send-to-read latency. One thread
// touches it (parallel.hpp).
struct Tally {
  std::uint64_t received = 0;
  std::int64_t last_arrival_ns = 0;
  bool recording = false;
  std::vector<std::int64_t> latencies_ns;

  void reset() {
    received = 0;
    last_arrival_ns = 0;
    latencies_ns.clear();
  }
};

}  // namespace blender_bus::bench
