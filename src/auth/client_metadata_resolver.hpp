#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "auth/client_metadata_document.hpp"
#include "auth/oauth_client.hpp"
#include "auth/url_fetch.hpp"

namespace blender_bus::auth {

// How client metadata documents are fetched and kept.
struct ClientMetadataPolicy {
  // Fetch documents on loopback, private and link-local addresses, and over
  // plain http there (--client-metadata-private-addresses, for tests and a
  // studio's own network). Off, a document must be https on a public address.
  bool allow_private_addresses = false;
  // A document is small (the draft suggests 5 KB); a slow one is refused.
  std::chrono::milliseconds timeout{5000};
  std::size_t max_bytes = 5 * 1024;
  // How long a document is kept: its Cache-Control max-age within these
  // bounds, `default_lifetime` when it says nothing. no-store and no-cache
  // get `min_lifetime`: one sign-in reads the client several times and
  // fetches it once.
  std::chrono::seconds min_lifetime{60};
  std::chrono::seconds default_lifetime{300};
  std::chrono::seconds max_lifetime{24 * 3600};
  // A refusal is kept this long, so a client cannot make the server fetch
  // in a loop.
  std::chrono::seconds refusal_lifetime{10};
  std::size_t max_entries = 1024;
  // Fetches running at once, server-wide: they hold auth workers (which
  // also hash logins) up to `timeout`, so a flood of slow document URLs
  // gets refusals, not every worker.
  unsigned max_concurrent_fetches = 2;
};

// How long a document with this Cache-Control header is kept.
std::chrono::seconds client_metadata_lifetime(std::string_view cache_control,
                                              const ClientMetadataPolicy& policy);

// The clients that name themselves by a metadata document URL: fetched
// (fetch_url, redirects refused, status 200 only; at most
// max_concurrent_fetches at once, a refusal beyond), read
// (read_client_metadata_document) and cached per the policy. Blocks on the
// network: call it from a worker, never an I/O thread. Thread-safe.
class ClientMetadataResolver {
 public:
  using Clock = std::chrono::steady_clock;
  using Outcome = std::variant<OAuthClient, ClientMetadataRefusal>;

  explicit ClientMetadataResolver(ClientMetadataPolicy policy = {});

  Outcome resolve(const std::string& client_id);
  std::size_t entries() const;

 private:
  struct Entry {
    Outcome outcome;
    Clock::time_point expires;
  };
  // The fetch and read, and how long the outcome is good for.
  std::pair<Outcome, std::chrono::seconds> fetch(const std::string& client_id) const;
  void keep(const std::string& client_id, Entry entry);

  const ClientMetadataPolicy policy_;
  std::atomic<unsigned> fetching_{0};
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> cache_;
};

}  // namespace blender_bus::auth
