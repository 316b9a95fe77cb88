#include "auth/registration_throttle.hpp"

#include <gtest/gtest.h>

namespace blender_bus::auth {
namespace {

using namespace std::chrono_literals;

struct ManualClock {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
  RegistrationThrottle::Clock clock() {
    return [this] { return now; };
  }
};

TEST(RegistrationThrottle, ABurstThenOneEveryInterval) {
  ManualClock time;
  RegistrationThrottle throttle({3, 60s, 100}, time.clock());
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(throttle.admit("203.0.113.7")) << i;
  auto refused = throttle.admit("203.0.113.7");
  ASSERT_TRUE(refused);
  EXPECT_EQ(*refused, 60s);
  EXPECT_FALSE(throttle.admit("203.0.113.8"));  // another address has its own bucket
  time.now += 30s;
  EXPECT_EQ(throttle.admit("203.0.113.7"), std::optional(30s));
  time.now += 30s;
  EXPECT_FALSE(throttle.admit("203.0.113.7"));
  EXPECT_TRUE(throttle.admit("203.0.113.7"));
}

TEST(RegistrationThrottle, CountsAnIpv6HostByItsSlash64) {
  ManualClock time;
  RegistrationThrottle throttle({1, 60s, 100}, time.clock());
  EXPECT_FALSE(throttle.admit("2001:db8:1:2::1"));
  EXPECT_TRUE(throttle.admit("2001:db8:1:2::ffff"));
  EXPECT_FALSE(throttle.admit("2001:db8:1:3::1"));
}

TEST(RegistrationThrottle, MemoryIsBounded) {
  ManualClock time;
  RegistrationThrottle throttle({2, 60s, 4}, time.clock());
  for (int i = 0; i < 50; ++i) {
    EXPECT_FALSE(throttle.admit("198.51.100." + std::to_string(i)));
    time.now += 1s;
  }
  EXPECT_LE(throttle.entries(), 4u);
}

}  // namespace
}  // namespace blender_bus::auth
