#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "auth/clock.hpp"
#include "auth/oauth_grant_store.hpp"

namespace blender_bus::auth {

// The OAuth grants revoked recently enough that an access token of theirs may
// still be unexpired, in memory, so that such a token is refused at once
// (a hash lookup under a shared lock, never the store). A grant revoked
// longer than an access token's lifetime ago has no live token left and is
// forgotten. The store stays the truth: sync() re-reads it, whoever revoked
// (this server, `blender-bus oauth revoke` in another process), and tells
// the listeners whose grant went. Thread-safe.
class RevokedGrants {
 public:
  using RevokedListener = std::function<void(const std::string& username)>;

  RevokedGrants(OAuthGrantStore& store, std::chrono::seconds access_lifetime,
                Clock clock = system_clock());
  RevokedGrants(const RevokedGrants&) = delete;
  RevokedGrants& operator=(const RevokedGrants&) = delete;

  // False for a grant revoked within an access token's lifetime.
  bool admits(std::string_view grant_id) const;

  // Re-reads the store; throws what the store throws, and then nothing changes.
  void sync();

  // Called once per user for each newly seen revoked grant, on the syncing
  // thread. Register before the first sync that matters (at start-up).
  void on_revoked(RevokedListener listener);

 private:
  OAuthGrantStore* store_;
  std::chrono::seconds remember_;
  Clock clock_;
  mutable std::shared_mutex mutex_;  // guards revoked_
  std::unordered_set<std::string> revoked_;
  std::mutex sync_mutex_;  // one sync at a time; listeners run under it
  std::vector<RevokedListener> listeners_;
};

}  // namespace blender_bus::auth
