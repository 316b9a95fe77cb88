#include "metrics/histogram.hpp"

#include <cmath>

namespace blender_bus::metrics {

Histogram::Histogram(Buckets buckets, std::size_t first_slot)
    : buckets_(std::move(buckets)), first_slot_(first_slot) {
  bounds_ns_.reserve(buckets_.size());
  for (double bound : buckets_) bounds_ns_.push_back(std::llround(bound * 1e9));
}

void Histogram::observe(ThreadShards& shards, std::chrono::nanoseconds elapsed) const {
  const std::int64_t ns = elapsed.count();
  std::size_t bucket = 0;
  while (bucket < bounds_ns_.size() && ns > bounds_ns_[bucket]) ++bucket;
  shards.add(first_slot_ + bucket);
  shards.add(first_slot_ + buckets_.size() + 1, ns > 0 ? static_cast<std::uint64_t>(ns) : 0);
}

Histogram::Reading Histogram::read(std::span<const std::uint64_t> sums) const {
  Reading reading;
  reading.cumulative.reserve(buckets_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= buckets_.size(); ++i) {
    running += sums[first_slot_ + i];
    reading.cumulative.push_back(running);
  }
  reading.sum_seconds = static_cast<double>(sums[first_slot_ + buckets_.size() + 1]) / 1e9;
  return reading;
}

}  // namespace blender_bus::metrics
