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
  std::chrono::seconds read_timeout{60};         // a request must arrive within this
  std::chrono::seconds write_timeout{30};        // a stalled reader is cut off after this
  std::chrono::seconds keep_alive_interval{15};  // SSE comment cadence
  // The server's external origin ("http://127.0.0.1:8000"): token issuer and
  // the base of resource_metadata in 401s. Set by the composition root.
  std::string public_base_url;
};

}  // namespace blender_bus::transport
