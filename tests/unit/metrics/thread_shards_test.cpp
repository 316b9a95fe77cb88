#include "metrics/thread_shards.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace blender_bus::metrics {
namespace {

TEST(ThreadShardsTest, SumsWhatEveryThreadAdded) {
  ThreadShards shards(10);
  constexpr int kThreads = 4;
  constexpr int kAdds = 10000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&shards] {
      for (int i = 0; i < kAdds; ++i) {
        shards.add(0);
        shards.add(9, 2);
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto sums = shards.sum();
  ASSERT_EQ(sums.size(), 10u);
  EXPECT_EQ(sums[0], std::uint64_t{kThreads} * kAdds);
  EXPECT_EQ(sums[9], std::uint64_t{kThreads} * kAdds * 2);
  for (std::size_t i = 1; i < 9; ++i) EXPECT_EQ(sums[i], 0u) << i;
}

TEST(ThreadShardsTest, SetsUsedInTurnByOneThreadKeepTheirOwnCounts) {
  ThreadShards a(1);
  ThreadShards b(1);
  for (int i = 0; i < 3; ++i) {
    a.add(0);
    b.add(0, 10);
  }
  EXPECT_EQ(a.sum()[0], 3u);
  EXPECT_EQ(b.sum()[0], 30u);
}

TEST(ThreadShardsTest, ASetMadeWhereAnotherWasStartsAtZero) {
  auto first = std::make_unique<ThreadShards>(1);
  first->add(0, 5);
  first.reset();
  // Possibly at the same address: the thread's cache must not point into the old one.
  ThreadShards second(1);
  second.add(0);
  EXPECT_EQ(second.sum()[0], 1u);
}

}  // namespace
}  // namespace blender_bus::metrics
