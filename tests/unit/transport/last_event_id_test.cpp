#include "transport/last_event_id.hpp"

#include <gtest/gtest.h>

namespace blender_bus::transport {
namespace {

TEST(LastEventIdTest, DecimalIdsParse) {
  EXPECT_EQ(parse_last_event_id("0"), 0u);
  EXPECT_EQ(parse_last_event_id("42"), 42u);
  EXPECT_EQ(parse_last_event_id("0042"), 42u);
  EXPECT_EQ(parse_last_event_id("18446744073709551615"), UINT64_MAX);
}

TEST(LastEventIdTest, AnythingElseIsRefused) {
  for (const char* header :
       {"", " 1", "1 ", "+1", "-1", "1a", "0x10", "1.0", "abc", "18446744073709551616"}) {
    EXPECT_EQ(parse_last_event_id(header), std::nullopt) << header;
  }
}

}  // namespace
}  // namespace blender_bus::transport
