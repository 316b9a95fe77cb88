#pragma once

#include <boost/asio/ip/address.hpp>

namespace blender_bus::auth {

// True for an address on the public Internet: not loopback, private
// (RFC 1918, fc00::/7), shared (100.64.0.0/10), link-local, unspecified,
// multicast, reserved or documentation space, nor an IPv4-mapped or NAT64
// form of one. A server fetching a URL a client named connects only to such
// addresses, so the client cannot make it reach its own network (SSRF).
bool is_public_address(const boost::asio::ip::address& address);

}  // namespace blender_bus::auth
