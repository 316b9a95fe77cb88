#include "latency_summary.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace blender_bus::bench {

namespace {

double rank(const std::vector<std::int64_t>& sorted, double quantile) {
  const auto n = sorted.size();
  auto index = static_cast<std::size_t>(std::ceil(quantile * static_cast<double>(n)));
  index = std::clamp<std::size_t>(index, 1, n) - 1;
  return static_cast<double>(sorted[index]) / 1e3;
}

double round2(double value) {
  return std::round(value * 100) / 100;
}

}  // namespace

LatencySummary summarize(std::vector<std::int64_t>& samples_ns) {
  LatencySummary summary;
  summary.count = samples_ns.size();
  if (samples_ns.empty()) return summary;
  std::sort(samples_ns.begin(), samples_ns.end());
  summary.p50_us = rank(samples_ns, 0.50);
  summary.p99_us = rank(samples_ns, 0.99);
  summary.p999_us = rank(samples_ns, 0.999);
  summary.max_us = static_cast<double>(samples_ns.back()) / 1e3;
  const long double total = std::accumulate(samples_ns.begin(), samples_ns.end(), 0.0L);
  summary.mean_us = static_cast<double>(total / samples_ns.size()) / 1e3;
  return summary;
}

boost::json::object LatencySummary::to_json() const {
  return {{"count", count},           {"p50_us", round2(p50_us)},
          {"p99_us", round2(p99_us)}, {"p999_us", round2(p999_us)},
          {"max_us", round2(max_us)}, {"mean_us", round2(mean_us)}};
}

}  // namespace blender_bus::bench
