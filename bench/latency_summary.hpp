#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <vector>

namespace blender_bus::bench {

// Percentiles of a set of latencies, in microseconds.
struct LatencySummary {
  std::size_t count = 0;
  double p50_us = 0;
  double p99_us = 0;
  double p999_us = 0;
  double max_us = 0;
  double mean_us = 0;

  boost::json::object to_json() const;
};

// Nearest-rank percentiles; sorts `samples_ns` in place.
LatencySummary summarize(std::vector<std::int64_t>& samples_ns);

}  // namespace blender_bus::bench
