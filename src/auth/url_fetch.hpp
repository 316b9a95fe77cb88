#pragma once

#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace blender_bus::auth {

// What one fetch may cost and where it may go: the whole exchange within
// `timeout`, a body of at most `max_body_bytes`; with
// `public_addresses_only`, a host that resolves to any address that is not
// public (is_public_address) is refused before a connection is made, and
// the connection goes only to the addresses checked (no second lookup a
// rebinding name could change).
struct FetchLimits {
  std::chrono::milliseconds timeout{5000};
  std::size_t max_body_bytes = 1 << 20;
  bool public_addresses_only = false;
};

// Why a fetch failed, for a log line: the URL's host and what went wrong.
class FetchError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FetchedDocument {
  unsigned status = 0;
  std::string content_type;
  std::string body;
  std::string cache_control{};  // the header, "" when absent
};

// True for a URL this server fetches documents from: https, or http to a
// loopback host (127.0.0.0/8, ::1, localhost), which tests use.
bool fetchable_url(const std::string& url);

// GET `url` (fetchable_url) with Accept: application/json; https verifies
// the peer against the system's CAs and the host name. Redirects are not
// followed. Blocks the calling thread (never an I/O thread): it runs its own
// event loop. Throws FetchError.
FetchedDocument fetch_url(const std::string& url, const FetchLimits& limits = {});

}  // namespace blender_bus::auth
