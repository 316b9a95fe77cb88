#include "transport/header_excerpt.hpp"

#include <gtest/gtest.h>

namespace blender_bus::transport {
namespace {

TEST(HeaderExcerpt, KeepsPrintableAscii) {
  EXPECT_EQ(header_excerpt("2025-06-18"), "2025-06-18");
  EXPECT_EQ(header_excerpt("a b:c/\"d\""), "a b:c/\"d\"");
}

TEST(HeaderExcerpt, EscapesEveryOtherByteSoTheResultIsAscii) {
  EXPECT_EQ(header_excerpt("12\xc3\x28\xa0"), "12\\xc3(\\xa0");
  EXPECT_EQ(header_excerpt(std::string_view("\x00\t\x7f\\", 4)), "\\x00\\x09\\x7f\\x5c");
  // Valid UTF-8 is escaped too: a header value is ASCII by RFC 9110.
  EXPECT_EQ(header_excerpt("\xc3\xa9"), "\\xc3\\xa9");
}

TEST(HeaderExcerpt, CutsALongValue) {
  EXPECT_EQ(header_excerpt(std::string(100, 'x'), 8), "xxxxxxxx...");
  EXPECT_EQ(header_excerpt(std::string(8, 'x'), 8), "xxxxxxxx");
}

}  // namespace
}  // namespace blender_bus::transport
