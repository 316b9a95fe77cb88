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

}  // namespace
}  // namespace blender_bus::mcp
