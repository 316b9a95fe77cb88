#include "transport/connection_limit.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace blender_bus::transport {
namespace {

TEST(ConnectionLimit, HandsOutAtMostMaxSlotsAndTakesThemBack) {
  ConnectionLimit limit(2);
  std::vector<ConnectionLimit::Slot> held;
  for (int i = 0; i < 2; ++i) {
    auto slot = limit.try_acquire();
    ASSERT_TRUE(slot);
    held.push_back(std::move(*slot));
  }
  EXPECT_EQ(limit.open(), 2u);
  EXPECT_FALSE(limit.try_acquire());
  held.pop_back();
  EXPECT_EQ(limit.open(), 1u);
  EXPECT_TRUE(limit.try_acquire());  // released again at once: a temporary
  EXPECT_EQ(limit.open(), 1u);
}

TEST(ConnectionLimit, AMovedSlotIsReleasedOnce) {
  ConnectionLimit limit(1);
  {
    auto slot = limit.try_acquire();
    ASSERT_TRUE(slot);
    ConnectionLimit::Slot moved = std::move(*slot);
    slot.reset();
    EXPECT_EQ(limit.open(), 1u);
  }
  EXPECT_EQ(limit.open(), 0u);
}

TEST(ConnectionLimit, ASlotMayOutliveItsLimit) {
  std::optional<ConnectionLimit::Slot> slot;
  {
    ConnectionLimit limit(1);
    slot = limit.try_acquire();
  }
  slot.reset();  // no use of the destroyed limit (ASan would say)
}

}  // namespace
}  // namespace blender_bus::transport
