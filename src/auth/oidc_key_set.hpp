#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "auth/json_web_key.hpp"
#include "auth/oidc_settings.hpp"
#include "auth/url_fetch.hpp"

namespace blender_bus::auth {

// The signing keys of an external OpenID Connect issuer: its discovery
// document (`<issuer>/.well-known/openid-configuration`, whose `issuer` must
// be the configured one) names the JWKS, read at start and again every
// `refresh_every` on a thread of its own, and sooner when a token names a
// key id the set lacks (at most once per `min_refresh_gap`, so forged key ids
// cannot make the server hammer the issuer). Lookups are a shared lock and a
// scan of a handful of keys; a request never waits for the network.
class OidcKeySet {
 public:
  using Fetch = std::function<FetchedDocument(const std::string& url)>;

  // Starts the refresh thread; the first read happens on it at once.
  OidcKeySet(
      OidcSettings settings, Fetch fetch = [](const std::string& url) { return fetch_url(url); });
  ~OidcKeySet();  // stops and joins
  OidcKeySet(const OidcKeySet&) = delete;
  OidcKeySet& operator=(const OidcKeySet&) = delete;

  // The key `kid` names (any key when `kid` is empty and the set has one of
  // `algorithm`), or nullopt after asking for an early re-read.
  std::optional<JsonWebKey> find(const std::string& kid, JwsAlgorithm algorithm) const;

  // Reads the discovery document and the key set now, on the calling thread;
  // throws FetchError or std::runtime_error naming what was wrong, and keeps
  // the keys it had. For start-up and tests.
  void refresh();

  // Blocks until the set has been read once (successfully or not) or
  // `timeout` passed; true when it holds keys.
  bool wait_loaded(std::chrono::milliseconds timeout) const;

 private:
  void run();

  const OidcSettings settings_;
  const Fetch fetch_;
  mutable std::shared_mutex keys_mutex_;
  std::vector<JsonWebKey> keys_;
  mutable std::mutex mutex_;  // guards the flags below
  mutable std::condition_variable wake_;
  mutable bool wanted_ = false;
  bool attempted_ = false;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point last_read_{};
  std::thread thread_;  // last: starts once everything above is set
};

}  // namespace blender_bus::auth
