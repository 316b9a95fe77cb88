#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace blender_bus::bench {

// Counts by kind ("send: HTTP 503", "garbage oversized body -> 413"), for a
// report that says what happened and how often. Sorted for stable output.
class EventCounts {
 public:
  void add(const std::string& kind, std::uint64_t n = 1) { counts_[kind] += n; }
  std::uint64_t total() const {
    std::uint64_t sum = 0;
    for (const auto& [kind, n] : counts_) sum += n;
    return sum;
  }
  const std::map<std::string, std::uint64_t>& by_kind() const { return counts_; }

 private:
  std::map<std::string, std::uint64_t> counts_;
};

}  // namespace blender_bus::bench
