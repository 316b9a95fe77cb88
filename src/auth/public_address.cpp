#include "auth/public_address.hpp"

#include <array>
#include <cstdint>

namespace blender_bus::auth {

namespace {

namespace ip = boost::asio::ip;

struct V4Range {
  std::uint32_t base;
  unsigned prefix;
};

// IANA's IPv4 special-purpose registry, the ranges not globally reachable.
constexpr std::array<V4Range, 15> kNotPublicV4{{
    {0x00000000, 8},   // "this network"
    {0x0a000000, 8},   // private
    {0x64400000, 10},  // shared address space (carrier NAT)
    {0x7f000000, 8},   // loopback
    {0xa9fe0000, 16},  // link-local (cloud metadata services live here)
    {0xac100000, 12},  // private
    {0xc0000000, 24},  // IETF protocol assignments
    {0xc0000200, 24},  // documentation
    {0xc0586300, 24},  // 6to4 relay anycast
    {0xc0a80000, 16},  // private
    {0xc6120000, 15},  // benchmarking
    {0xc6336400, 24},  // documentation
    {0xcb007100, 24},  // documentation
    {0xe0000000, 4},   // multicast
    {0xf0000000, 4},   // reserved, broadcast
}};

bool public_v4(const ip::address_v4& address) {
  const std::uint32_t bits = address.to_uint();
  for (const V4Range& range : kNotPublicV4) {
    const std::uint32_t mask = range.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - range.prefix);
    if ((bits & mask) == range.base) return false;
  }
  return true;
}

bool public_v6(const ip::address_v6& address) {
  if (address.is_v4_mapped()) {
    return public_v4(ip::make_address_v4(ip::v4_mapped, address));
  }
  const auto bytes = address.to_bytes();
  if (address.is_unspecified() || address.is_loopback() || address.is_multicast()) return false;
  if ((bytes[0] & 0xfe) == 0xfc) return false;                      // fc00::/7 unique local
  if (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80) return false;  // fe80::/10 link-local
  if (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0xc0) return false;  // fec0::/10 site-local
  if (bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0d && bytes[3] == 0xb8) {
    return false;  // 2001:db8::/32 documentation
  }
  // 64:ff9b::/96 (NAT64) and ::/96 (IPv4-compatible) carry an IPv4 address.
  const bool nat64 = bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b;
  bool compatible = true;
  for (int i = 0; i < 12; ++i) compatible = compatible && bytes[i] == 0;
  bool nat64_zeros = nat64;
  for (int i = 4; i < 12; ++i) nat64_zeros = nat64_zeros && bytes[i] == 0;
  if (nat64_zeros || compatible) {
    const ip::address_v4::bytes_type v4{bytes[12], bytes[13], bytes[14], bytes[15]};
    return public_v4(ip::address_v4(v4));
  }
  return true;
}

}  // namespace

bool is_public_address(const ip::address& address) {
  return address.is_v4() ? public_v4(address.to_v4()) : public_v6(address.to_v6());
}

}  // namespace blender_bus::auth
