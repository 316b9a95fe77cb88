#include "mcp/protocol_version.hpp"

#include <gtest/gtest.h>

namespace blender_bus::mcp {
namespace {

TEST(ProtocolVersionTest, SupportedVersionsAreEchoed) {
  for (auto version : {"2025-03-26", "2025-06-18", "2025-11-25"}) {
    EXPECT_TRUE(is_supported_protocol_version(version));
    EXPECT_EQ(negotiate_protocol_version(version), version);
  }
}

TEST(ProtocolVersionTest, AnythingElseGetsTheNewest) {
  for (auto version : {"2024-11-05", "2026-01-01", "", "latest"}) {
    EXPECT_FALSE(is_supported_protocol_version(version));
    EXPECT_EQ(negotiate_protocol_version(version), "2025-11-25");
  }
}

TEST(ProtocolVersionTest, ModernVersionsAreTheDatedOnesFrom20260728) {
  EXPECT_TRUE(is_modern_protocol_version("2026-07-28"));
  EXPECT_TRUE(is_modern_protocol_version("2027-01-01"));
  EXPECT_TRUE(is_modern_protocol_version("v999.0.0"));  // refused later as unsupported
  for (auto legacy : {"2025-11-25", "2025-03-26", "2026-01-01", ""}) {
    EXPECT_FALSE(is_modern_protocol_version(legacy)) << legacy;
  }
  EXPECT_TRUE(is_served_modern_protocol_version("2026-07-28"));
  EXPECT_FALSE(is_served_modern_protocol_version("2027-01-01"));
  EXPECT_FALSE(is_served_modern_protocol_version("2025-11-25"));
}

}  // namespace
}  // namespace blender_bus::mcp
