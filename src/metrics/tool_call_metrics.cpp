#include "metrics/tool_call_metrics.hpp"

#include <algorithm>

namespace blender_bus::metrics {

namespace {

// Most tools answer in microseconds; long-polls wait up to 50 s.
const Buckets kToolBuckets{0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                           0.05,    0.1,    0.25,    0.5,    1,     5,      10,    60};

std::vector<Histogram> histograms_for(std::size_t tools) {
  std::vector<Histogram> out;
  out.reserve(tools);
  for (std::size_t i = 0; i < tools; ++i) {
    out.emplace_back(kToolBuckets, i * Histogram::slots_for(kToolBuckets));
  }
  return out;
}

}  // namespace

ToolCallMetrics::ToolCallMetrics(std::vector<std::string> tools)
    : tools_(std::move(tools)),
      histograms_(histograms_for(tools_.size())),
      shards_(tools_.size() * Histogram::slots_for(kToolBuckets)) {}

std::optional<std::size_t> ToolCallMetrics::index(std::string_view tool) const {
  const auto it = std::find(tools_.begin(), tools_.end(), tool);
  if (it == tools_.end()) return std::nullopt;
  return static_cast<std::size_t>(it - tools_.begin());
}

void ToolCallMetrics::write(Exposition& out) const {
  const std::vector<std::uint64_t> sums = shards_.sum();
  out.family("blender_bus_tool_call_seconds", "histogram",
             "Time a tools/call's handler took (arguments valid), by tool");
  for (std::size_t i = 0; i < tools_.size(); ++i) {
    out.histogram("blender_bus_tool_call_seconds", {{"tool", tools_[i]}}, histograms_[i].buckets(),
                  histograms_[i].read(sums));
  }
}

}  // namespace blender_bus::metrics
