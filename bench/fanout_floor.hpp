#pragma once

#include <boost/json.hpp>
#include <cstddef>
#include <vector>

namespace blender_bus::bench {

struct FanoutFloorOptions {
  std::vector<std::size_t> sizes{10, 100, 1000, 10000};
  std::size_t rounds = 5;
  std::size_t record_bytes = 420;  // about one SSE record of scenario 2, framing included
};

// Scenario 6 for the fan-out: the floor this machine puts under a broadcast.
// A child process (the "server") holds `size` loopback TCP connections to
// this one (the "client") and writes one record-sized message to each, in a
// loop, without HTTP, JSON or a bus; this process reads them all with epoll.
// Time from the first write to the last byte read, as in scenario 2, and the
// CPU each side spends per record. Returns one result per size.
boost::json::array run_fanout_floor(const FanoutFloorOptions& options);

}  // namespace blender_bus::bench
