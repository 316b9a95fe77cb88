#include "mcp/stream_signal.hpp"

#include <gtest/gtest.h>

namespace blender_bus::mcp {
namespace {

TEST(StreamSignal, WakeReachesTheAttachedConsumerOnly) {
  StreamSignal q;
  q.wake();  // nobody attached: nothing happens
  int woken = 0;
  const auto token = q.attach([&] { ++woken; });
  EXPECT_NE(token, 0u);
  EXPECT_TRUE(q.is_current(token));
  q.wake();
  q.wake();
  EXPECT_EQ(woken, 2);
  q.detach(token);
  EXPECT_FALSE(q.is_current(token));
  EXPECT_FALSE(q.has_consumer());
  q.wake();
  EXPECT_EQ(woken, 2);
}

TEST(StreamSignal, ASecondConsumerReplacesAndWakesTheFirst) {
  StreamSignal q;
  int first_woken = 0;
  const auto first = q.attach([&] { ++first_woken; });
  const auto second = q.attach([] {});
  EXPECT_EQ(first_woken, 1);
  EXPECT_FALSE(q.is_current(first));
  EXPECT_TRUE(q.is_current(second));
  q.detach(first);  // a stale token detaches nothing
  EXPECT_TRUE(q.is_current(second));
}

TEST(StreamSignal, CloseStopsTheConsumerForGood) {
  StreamSignal q;
  EXPECT_FALSE(q.ever_attached());
  int woken = 0;
  const auto token = q.attach([&] { ++woken; });
  EXPECT_TRUE(q.ever_attached());
  q.close();
  EXPECT_EQ(woken, 1);
  EXPECT_TRUE(q.closed());
  EXPECT_FALSE(q.is_current(token));
  EXPECT_EQ(q.attach([] {}), 0u);
}

}  // namespace
}  // namespace blender_bus::mcp
