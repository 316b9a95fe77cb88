#include "bus/uuid_v4.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace blender_bus::bus {
namespace {

TEST(UuidV4, FormatsBytesWithVersionAndVariantBits) {
  auto random = test::counting_random();
  EXPECT_EQ(make_uuid_v4(random), test::kFirstUuid);
  EXPECT_EQ(make_uuid_v4(random), test::kSecondUuid);
}

TEST(UuidV4, AllOnesKeepsOnlyLegalVersionAndVariant) {
  RandomSource ones = [](std::span<unsigned char> out) {
    for (auto& b : out) b = 0xFF;
  };
  EXPECT_EQ(make_uuid_v4(ones), "ffffffff-ffff-4fff-bfff-ffffffffffff");
}

}  // namespace
}  // namespace blender_bus::bus
