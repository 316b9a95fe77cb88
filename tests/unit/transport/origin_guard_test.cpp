#include "transport/origin_guard.hpp"

#include <gtest/gtest.h>

namespace blender_bus::transport {
namespace {

TEST(OriginGuardTest, LoopbackOriginsAreAllowedForeignOnesAreNot) {
  OriginGuard guard("127.0.0.1", {});
  EXPECT_TRUE(guard.origin_allowed(""));
  EXPECT_TRUE(guard.origin_allowed("http://localhost:3000"));
  EXPECT_TRUE(guard.origin_allowed("http://127.0.0.1:8000"));
  EXPECT_TRUE(guard.origin_allowed("http://[::1]:8000"));
  EXPECT_FALSE(guard.origin_allowed("http://evil.example"));
  EXPECT_FALSE(guard.origin_allowed("null"));
  EXPECT_FALSE(guard.origin_allowed("file:///etc/passwd"));
}

TEST(OriginGuardTest, HostHeaderIsCheckedOnLoopback) {
  OriginGuard guard("127.0.0.1", {});
  EXPECT_TRUE(guard.host_allowed("127.0.0.1:8000"));
  EXPECT_TRUE(guard.host_allowed("localhost"));
  EXPECT_TRUE(guard.host_allowed("[::1]:8000"));
  EXPECT_FALSE(guard.host_allowed("evil.example:8000"));
}

TEST(OriginGuardTest, ExtraOriginsAndOwnHost) {
  OriginGuard guard("10.1.2.3", {"https://app.example.com"});
  EXPECT_TRUE(guard.origin_allowed("https://app.example.com"));
  EXPECT_TRUE(guard.origin_allowed("http://10.1.2.3:8000"));
  EXPECT_FALSE(guard.origin_allowed("https://other.example.com"));
  EXPECT_TRUE(guard.host_allowed("bus.example.com"));  // not loopback: no Host pinning
  OriginGuard any("127.0.0.1", {"*"});
  EXPECT_TRUE(any.origin_allowed("https://anything.example"));
}

}  // namespace
}  // namespace blender_bus::transport
