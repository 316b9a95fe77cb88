#pragma once

#include <string>
#include <string_view>

namespace blender_bus::auth {

// The part of a client's address that login throttling counts as one client:
// an IPv4 address as it is (also when it arrives IPv4-mapped, ::ffff:a.b.c.d),
// an IPv6 address by its /64, since one host is routinely given a whole /64
// and could otherwise pick a fresh address per guess. Text that is no address
// (a Unix socket, a test) is kept, cut to 64 bytes.
std::string address_prefix(std::string_view address);

}  // namespace blender_bus::auth
