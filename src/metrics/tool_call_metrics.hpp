#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/exposition.hpp"
#include "metrics/histogram.hpp"
#include "metrics/thread_shards.hpp"

namespace blender_bus::metrics {

// blender_bus_tool_call_seconds{tool}: one histogram per tool, in per-thread
// shards as ServerMetrics keeps its counters.
class ToolCallMetrics {
 public:
  explicit ToolCallMetrics(std::vector<std::string> tools);

  // Index of a tool given at construction (a scan of a few names).
  std::optional<std::size_t> index(std::string_view tool) const;
  void observe(std::size_t tool, std::chrono::nanoseconds elapsed) const {
    histograms_[tool].observe(shards_, elapsed);
  }

  void write(Exposition& out) const;

 private:
  std::vector<std::string> tools_;
  std::vector<Histogram> histograms_;
  mutable ThreadShards shards_;
};

}  // namespace blender_bus::metrics
