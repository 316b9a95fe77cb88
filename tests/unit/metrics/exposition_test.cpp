#include "metrics/exposition.hpp"

#include <gtest/gtest.h>

#include "metrics/histogram.hpp"
#include "metrics/thread_shards.hpp"

namespace blender_bus::metrics {
namespace {

using namespace std::chrono_literals;

TEST(ExpositionTest, WritesFamiliesAndSamples) {
  Exposition out;
  out.family("x_total", "counter", "Things \\ counted\nover lines");
  out.sample("x_total", {{"kind", "a\"b\\c\nd"}}, std::uint64_t{7});
  out.family("y", "gauge", "A gauge");
  out.sample("y", {}, 0.25);
  EXPECT_EQ(out.text(),
            "# HELP x_total Things \\\\ counted\\nover lines\n"
            "# TYPE x_total counter\n"
            "x_total{kind=\"a\\\"b\\\\c\\nd\"} 7\n"
            "# HELP y A gauge\n"
            "# TYPE y gauge\n"
            "y 0.25\n");
}

TEST(HistogramTest, CountsEachObservationInItsBucketAndWritesThemCumulative) {
  const Buckets buckets{0.001, 0.01};
  ThreadShards shards(1 + Histogram::slots_for(buckets));
  const Histogram histogram(buckets, 1);  // slot 0 belongs to someone else
  shards.add(0, 99);
  histogram.observe(shards, 1ms);     // on the bound: le="0.001"
  histogram.observe(shards, 1001us);  // just above: le="0.01"
  histogram.observe(shards, 2s);      // +Inf
  const auto reading = histogram.read(shards.sum());
  EXPECT_EQ(reading.cumulative, (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_DOUBLE_EQ(reading.sum_seconds, 2.002001);

  Exposition out;
  out.histogram("t_seconds", {{"tool", "x"}}, buckets, reading);
  EXPECT_EQ(out.text(),
            "t_seconds_bucket{tool=\"x\",le=\"0.001\"} 1\n"
            "t_seconds_bucket{tool=\"x\",le=\"0.01\"} 2\n"
            "t_seconds_bucket{tool=\"x\",le=\"+Inf\"} 3\n"
            "t_seconds_sum{tool=\"x\"} 2.002001\n"
            "t_seconds_count{tool=\"x\"} 3\n");
}

}  // namespace
}  // namespace blender_bus::metrics
