#include "auth/login_throttle.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace blender_bus::auth {
namespace {

using namespace std::chrono_literals;
using Attempt = LoginThrottle::Attempt;
using Refused = LoginThrottle::Refused;

// A steady clock that stands still until the test moves it.
class StillClock {
 public:
  LoginThrottle::Clock clock() const {
    return [now = now_] { return *now; };
  }
  void advance(std::chrono::steady_clock::duration by) { *now_ += by; }

 private:
  std::shared_ptr<std::chrono::steady_clock::time_point> now_ =
      std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::hours(1000));
};

class LoginThrottleTest : public ::testing::Test {
 protected:
  static LoginThrottlePolicy policy() {
    LoginThrottlePolicy p;
    p.free_failures_per_name = 3;
    p.free_failures_per_address = 6;
    p.first_delay = 2s;
    p.max_delay = 60s;
    p.forget_after = 3600s;
    p.trust_for = 7200s;
    p.max_entries = 100;
    return p;
  }

  // Admits and fails one attempt; false when it was refused instead.
  bool fail(std::string_view name, std::string_view address) {
    auto admission = throttle_.admit(name, address);
    if (!std::holds_alternative<Attempt>(admission)) return false;
    throttle_.failed(std::get<Attempt>(admission));
    return true;
  }
  bool succeed(std::string_view name, std::string_view address) {
    auto admission = throttle_.admit(name, address);
    if (!std::holds_alternative<Attempt>(admission)) return false;
    throttle_.succeeded(std::get<Attempt>(admission));
    return true;
  }
  // The Retry-After of a refusal, 0 when admitted (and then abandoned).
  std::int64_t retry_after(std::string_view name, std::string_view address) {
    auto admission = throttle_.admit(name, address);
    if (auto* refused = std::get_if<Refused>(&admission)) return refused->retry_after.count();
    throttle_.abandoned(std::get<Attempt>(admission));
    return 0;
  }

  StillClock clock_;
  LoginThrottle throttle_{policy(), clock_.clock()};
};

TEST_F(LoginThrottleTest, FreeFailuresThenADelayThatDoublesUpToTheCap) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(fail("alice", "10.0.0.1"));
  EXPECT_EQ(retry_after("alice", "10.0.0.1"), 2);
  clock_.advance(1500ms);
  EXPECT_EQ(retry_after("alice", "10.0.0.1"), 1);  // rounded up, never 0
  clock_.advance(500ms);
  ASSERT_TRUE(fail("alice", "10.0.0.1"));
  EXPECT_EQ(retry_after("alice", "10.0.0.1"), 4);
  clock_.advance(4s);
  ASSERT_TRUE(fail("alice", "10.0.0.1"));
  EXPECT_EQ(retry_after("alice", "10.0.0.1"), 8);
  for (int i = 0; i < 10; ++i) {
    clock_.advance(60s);
    ASSERT_TRUE(fail("alice", "10.0.0.1"));
  }
  EXPECT_EQ(retry_after("alice", "10.0.0.1"), 60);
}

TEST_F(LoginThrottleTest, KnownAndUnknownNamesAreAlike) {
  // The throttle never asks whether a name exists: a made-up one is counted
  // and refused exactly like a real one.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(fail("alice", "10.0.0.1"));
    ASSERT_TRUE(fail("no-such-user", "10.0.0.2"));
  }
  EXPECT_EQ(retry_after("alice", "10.0.0.1"), retry_after("no-such-user", "10.0.0.2"));
}

TEST_F(LoginThrottleTest, ANameIsBarredOnlyFromTheAddressItsFailuresCameFrom) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(fail("alice", "10.0.0.1"));
  EXPECT_GT(retry_after("alice", "10.0.0.1"), 0);
  EXPECT_EQ(retry_after("alice", "10.0.0.2"), 0);  // alice at home
  EXPECT_EQ(retry_after("bob", "10.0.0.1"), 0);    // bob beside the attacker
}

TEST_F(LoginThrottleTest, SprayingManyNamesBarsTheAddressButNotWhoLoggedInFromThere) {
  ASSERT_TRUE(succeed("bob", "10.0.0.1"));
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(fail("name-" + std::to_string(i), "10.0.0.1"));
  EXPECT_EQ(retry_after("carol", "10.0.0.1"), 2);
  EXPECT_EQ(retry_after("bob", "10.0.0.1"), 0);
  EXPECT_EQ(retry_after("carol", "10.0.0.2"), 0);
  // The trust lapses (and so did the address's failures, being older than
  // forget_after): a new spray bars bob too.
  clock_.advance(7200s);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(fail("again-" + std::to_string(i), "10.0.0.1"));
  EXPECT_GT(retry_after("bob", "10.0.0.1"), 0);
}

TEST_F(LoginThrottleTest, ASuccessClearsItsNameButNotTheAddress) {
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(fail("alice", "10.0.0.1"));
  ASSERT_TRUE(succeed("alice", "10.0.0.1"));
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(fail("alice", "10.0.0.1"));
  EXPECT_EQ(retry_after("alice", "10.0.0.1"), 0);  // counting from the success
  // The address kept its four failures (and one more of alice's: five); a
  // sixth from anyone bars it, an attacker's own account does not reset it.
  ASSERT_TRUE(succeed("mallory", "10.0.0.1"));
  ASSERT_TRUE(fail("mallory", "10.0.0.1"));
  ASSERT_TRUE(fail("carol", "10.0.0.1"));
  EXPECT_GT(retry_after("dave", "10.0.0.1"), 0);
}

TEST_F(LoginThrottleTest, AQuietKeyIsForgotten) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(fail("alice", "10.0.0.1"));
  clock_.advance(3600s);
  EXPECT_EQ(retry_after("alice", "10.0.0.1"), 0);
  ASSERT_TRUE(fail("alice", "10.0.0.1"));
  EXPECT_EQ(retry_after("alice", "10.0.0.1"), 0);  // one failure of three again
}

TEST_F(LoginThrottleTest, ParallelGuessesOfAFailedKeyCountBeforeTheyEnd) {
  ASSERT_TRUE(fail("alice", "10.0.0.1"));
  // Two failures left: two attempts may be in flight, not a third.
  auto first = throttle_.admit("alice", "10.0.0.1");
  auto second = throttle_.admit("alice", "10.0.0.1");
  ASSERT_TRUE(std::holds_alternative<Attempt>(first));
  ASSERT_TRUE(std::holds_alternative<Attempt>(second));
  EXPECT_EQ(retry_after("alice", "10.0.0.1"), 1);
  throttle_.abandoned(std::get<Attempt>(first));
  EXPECT_EQ(retry_after("alice", "10.0.0.1"), 0);
  throttle_.abandoned(std::get<Attempt>(second));
}

TEST_F(LoginThrottleTest, AKeyThatNeverFailedIsNotHeldBackInParallel) {
  std::vector<Attempt> attempts;
  for (int i = 0; i < 20; ++i) {
    auto admission = throttle_.admit("alice", "10.0.0.1");
    ASSERT_TRUE(std::holds_alternative<Attempt>(admission)) << i;
    attempts.push_back(std::get<Attempt>(admission));
  }
  for (const auto& attempt : attempts) throttle_.succeeded(attempt);
}

TEST_F(LoginThrottleTest, IPv6CountsBySlash64AndMappedIPv4AsIPv4) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(fail("alice", "2001:db8:1:2::" + std::to_string(i + 1)));
  EXPECT_GT(retry_after("alice", "2001:db8:1:2:ffff::9"), 0);
  EXPECT_EQ(retry_after("alice", "2001:db8:1:3::1"), 0);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(fail("bob", "::ffff:10.0.0.7"));
  EXPECT_GT(retry_after("bob", "10.0.0.7"), 0);
}

TEST_F(LoginThrottleTest, MemoryIsBoundedAndRefusalsCostNone) {
  for (int i = 0; i < 1000; ++i) {
    fail("name-" + std::to_string(i),
         "10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250));
  }
  EXPECT_LE(throttle_.entries(), 200u);  // two tables of 100
  // A barred address asking for fresh names adds nothing.
  for (int i = 0; i < 6; ++i) fail("spray-" + std::to_string(i), "10.9.9.9");
  const std::size_t before = throttle_.entries();
  for (int i = 0; i < 50; ++i) EXPECT_GT(retry_after("new-" + std::to_string(i), "10.9.9.9"), 0);
  EXPECT_EQ(throttle_.entries(), before);
}

TEST_F(LoginThrottleTest, AnOverlongNameIsKeyedByItsPrefix) {
  const std::string huge(1 << 20, 'n');
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(fail(huge, "10.0.0.1"));
  EXPECT_GT(retry_after(huge + "different tail", "10.0.0.1"), 0);
}

}  // namespace
}  // namespace blender_bus::auth
