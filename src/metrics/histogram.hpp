#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "metrics/thread_shards.hpp"

namespace blender_bus::metrics {

// Upper bounds in seconds, increasing; +Inf is implied.
using Buckets = std::vector<double>;

// A Prometheus histogram kept in slots of a ThreadShards: one count per
// bucket (not cumulative: an observation touches one slot), then the sum in
// nanoseconds. `first_slot` is where its slots start in the set.
class Histogram {
 public:
  Histogram(Buckets buckets, std::size_t first_slot);

  // Slots it takes in a set: every bucket, +Inf, and the sum.
  static std::size_t slots_for(const Buckets& buckets) { return buckets.size() + 2; }
  std::size_t slots() const { return slots_for(buckets_); }

  // Two adds to the calling thread's shard; the bucket is found by a linear
  // scan (a dozen bounds: cheaper than a search's branches).
  void observe(ThreadShards& shards, std::chrono::nanoseconds elapsed) const;

  struct Reading {
    std::vector<std::uint64_t> cumulative;  // per bound, then +Inf (= the count)
    double sum_seconds = 0;
  };
  // From a set's summed slots.
  Reading read(std::span<const std::uint64_t> sums) const;
  const Buckets& buckets() const { return buckets_; }

 private:
  Buckets buckets_;
  std::vector<std::int64_t> bounds_ns_;  // the bounds in nanoseconds, for observe
  std::size_t first_slot_;
};

}  // namespace blender_bus::metrics
