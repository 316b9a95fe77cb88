#include "delivery/activity_counts.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace blender_bus::delivery {
namespace {

TEST(ActivityCounts, CountsSendsAndRecordsPerBus) {
  ActivityCounts counts;
  EXPECT_EQ(counts.read("alice").sends, 0u);
  counts.count("alice", true, 3);   // a send to three clients
  counts.count("alice", false, 1);  // a job update to its originator
  counts.count("bob", true, 0);     // a send that reached nobody
  EXPECT_EQ(counts.read("alice").sends, 1u);
  EXPECT_EQ(counts.read("alice").records, 4u);
  EXPECT_EQ(counts.read("bob").sends, 1u);
  EXPECT_EQ(counts.read("bob").records, 0u);
  counts.forget("alice");
  EXPECT_EQ(counts.read("alice").records, 0u);
  EXPECT_EQ(counts.read("bob").sends, 1u);
}

TEST(ActivityCounts, ThreadsCountingAtOnceLoseNothing) {
  ActivityCounts counts;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&counts, t] {
      for (int i = 0; i < 10000; ++i) counts.count(t % 2 ? "odd" : "even", true, 2);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counts.read("odd").sends, 20000u);
  EXPECT_EQ(counts.read("even").records, 40000u);
}

}  // namespace
}  // namespace blender_bus::delivery
