#include "mcp/outbound_queue.hpp"

#include <gtest/gtest.h>

namespace blender_bus::mcp {
namespace {

std::vector<std::uint64_t> ids(const std::vector<OutboundEvent>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& event : events) out.push_back(event.id);
  return out;
}

TEST(OutboundQueueTest, NumbersEventsAndReplaysAfterACursor) {
  OutboundQueue queue(8, 8);
  for (int i = 0; i < 5; ++i) queue.push(std::string(1, static_cast<char>('0' + i)));
  EXPECT_EQ(queue.last_id(), 5u);
  auto all = queue.after(0);
  ASSERT_TRUE(all);
  EXPECT_EQ(ids(*all), (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ((*all)[0].data, "0");
  auto tail = queue.after(3);
  ASSERT_TRUE(tail);
  EXPECT_EQ(ids(*tail), (std::vector<std::uint64_t>{4, 5}));
  auto limited = queue.after(0, 2);
  ASSERT_TRUE(limited);
  EXPECT_EQ(ids(*limited), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_TRUE(queue.after(5)->empty());
}

TEST(OutboundQueueTest, CursorsNeverIssuedOrOutOfTheWindowCannotResume) {
  OutboundQueue queue(3, 3);
  for (int i = 0; i < 6; ++i) queue.push("e");
  EXPECT_FALSE(queue.after(7));  // never issued
  EXPECT_FALSE(queue.after(1));  // 2 and 3 have left the window
  auto resumable = queue.after(3);
  ASSERT_TRUE(resumable);
  EXPECT_EQ(ids(*resumable), (std::vector<std::uint64_t>{4, 5, 6}));
}

TEST(OutboundQueueTest, WakesTheConsumerAndANewOneReplacesTheOld) {
  OutboundQueue queue(16, 16);
  int first_wakes = 0;
  int second_wakes = 0;
  const auto first = queue.attach([&] { ++first_wakes; }, 0);
  queue.push("a");
  EXPECT_EQ(first_wakes, 1);
  EXPECT_TRUE(queue.is_current(first));
  const auto second = queue.attach([&] { ++second_wakes; }, 1);
  EXPECT_EQ(first_wakes, 2);  // told to stop
  EXPECT_FALSE(queue.is_current(first));
  EXPECT_TRUE(queue.is_current(second));
  queue.push("b");
  EXPECT_EQ(second_wakes, 1);
  EXPECT_EQ(first_wakes, 2);
}

TEST(OutboundQueueTest, ASlowConsumerIsCutOffAndItsEventsStayForReplay) {
  OutboundQueue queue(16, 4);
  int wakes = 0;
  const auto token = queue.attach([&] { ++wakes; }, 0);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(queue.push("e"), OutboundQueue::PushOutcome::delivered_or_queued);
  }
  EXPECT_EQ(queue.push("e"), OutboundQueue::PushOutcome::consumer_cut_off);
  EXPECT_FALSE(queue.is_current(token));
  EXPECT_FALSE(queue.has_consumer());
  auto replay = queue.after(0);
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->size(), 5u);
}

TEST(OutboundQueueTest, AcknowledgedProgressKeepsAConsumerAttached) {
  OutboundQueue queue(16, 2);
  const auto token = queue.attach([] {}, 0);
  for (std::uint64_t i = 1; i <= 10; ++i) {
    EXPECT_EQ(queue.push("e"), OutboundQueue::PushOutcome::delivered_or_queued);
    queue.acknowledge(token, i);
  }
  EXPECT_TRUE(queue.is_current(token));
}

TEST(OutboundQueueTest, CloseStopsTheConsumerForGood) {
  OutboundQueue queue(4, 4);
  int wakes = 0;
  const auto token = queue.attach([&] { ++wakes; }, 0);
  queue.close();
  EXPECT_EQ(wakes, 1);
  EXPECT_FALSE(queue.is_current(token));
  EXPECT_TRUE(queue.closed());
  EXPECT_EQ(queue.attach([] {}, 0), 0u);
}

}  // namespace
}  // namespace blender_bus::mcp
