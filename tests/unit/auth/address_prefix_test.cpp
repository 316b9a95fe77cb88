#include "auth/address_prefix.hpp"

#include <gtest/gtest.h>

namespace blender_bus::auth {
namespace {

TEST(AddressPrefix, IPv4IsItself) {
  EXPECT_EQ(address_prefix("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(address_prefix("::ffff:192.0.2.7"), "192.0.2.7");
}

TEST(AddressPrefix, IPv6IsItsSlash64) {
  EXPECT_EQ(address_prefix("2001:db8:aa:bb:1:2:3:4"), "2001:db8:aa:bb::/64");
  EXPECT_EQ(address_prefix("2001:DB8:AA:BB::9"), "2001:db8:aa:bb::/64");
  EXPECT_EQ(address_prefix("::1"), "::/64");
}

TEST(AddressPrefix, OtherTextIsKeptButBounded) {
  EXPECT_EQ(address_prefix(""), "");
  EXPECT_EQ(address_prefix("fe80::1%eth0"), "fe80::1%eth0");
  EXPECT_EQ(address_prefix(std::string(1000, 'x')).size(), 64u);
}

}  // namespace
}  // namespace blender_bus::auth
