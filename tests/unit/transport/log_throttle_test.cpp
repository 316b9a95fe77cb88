#include "transport/log_throttle.hpp"

#include <gtest/gtest.h>

namespace blender_bus::transport {
namespace {

using namespace std::chrono_literals;

TEST(LogThrottle, LogsTheFirstAtOnceThenOneLinePerIntervalWithTheCountInBetween) {
  LogThrottle throttle(10s);
  const LogThrottle::Clock::time_point t0{};
  EXPECT_EQ(throttle.occurred(t0 + 1s), 0u);
  for (int i = 0; i < 999; ++i) EXPECT_FALSE(throttle.occurred(t0 + 2s));
  EXPECT_FALSE(throttle.occurred(t0 + 10s + 999ms));
  EXPECT_EQ(throttle.occurred(t0 + 11s), 1000u);
  EXPECT_EQ(throttle.occurred(t0 + 60s), 0u);
}

}  // namespace
}  // namespace blender_bus::transport
