#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace blender_bus::transport {

struct HttpOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8000;
  std::vector<std::string> allowed_origins;      // --allow-origin
  std::size_t max_body_bytes = 4 * 1024 * 1024;  // SPEC §3: over it -> 413
  // Bodies of the routes beside /mcp (/auth/*): a login is a few hundred
  // bytes, and these routes take requests from anyone.
  std::size_t max_route_body_bytes = 64 * 1024;
  // A request's header must arrive within this of the first wait for it
  // (an idle keep-alive connection is closed after it, too); its body within
  // body_timeout of the header's end.
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds body_timeout{60};
  std::chrono::seconds write_timeout{30};        // a stalled reader is cut off after this
  std::chrono::seconds keep_alive_interval{15};  // SSE comment cadence
  // Open connections at most; beyond, a connection is answered 503 and closed.
  std::size_t max_connections = 10'000;
  // The server's external origin ("http://127.0.0.1:8000"): token issuer and
  // the base of resource_metadata in 401s. Set by the composition root.
  std::string public_base_url;
};

}  // namespace blender_bus::transport
