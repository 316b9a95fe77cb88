#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "auth/clock.hpp"
#include "auth/personal_token_store.hpp"
#include "auth/principal.hpp"
#include "auth/user_store.hpp"

namespace blender_bus::auth {

// Why a personal access token was refused; the text follows "Invalid token: ".
struct PersonalTokenRefusal {
  std::string reason;
};

// Every live personal access token, in memory, so that a request presenting
// one costs a SHA-256 and a hash lookup under a shared lock, never the store.
// The store stays the truth: sync() re-reads it (after this server or another
// process changed it) and tells the listener which users lost a token. When a
// token was last used is kept here and written by flush_uses(), at most once
// a minute per token, off the request path. Thread-safe.
class PersonalTokenDirectory {
 public:
  // Called once per user who lost one or more tokens (revoked or expired),
  // after the directory stopped admitting them, on the syncing thread.
  using RevokedListener = std::function<void(const std::string& username)>;

  // `users` gives each owner's roles; a token whose owner is gone is dropped
  // (and deleted from the store) at the next sync.
  PersonalTokenDirectory(PersonalTokenStore& store, const UserStore& users,
                         Clock clock = system_clock());
  PersonalTokenDirectory(const PersonalTokenDirectory&) = delete;
  PersonalTokenDirectory& operator=(const PersonalTokenDirectory&) = delete;

  // The principal `token` acts as, or why it is refused (unknown, revoked or
  // expired alike say nothing about which).
  std::variant<Principal, PersonalTokenRefusal> admit(std::string_view token) const;

  // Re-reads the store; throws what the store throws, and then nothing changes.
  void sync();
  // Writes the last-use times gathered since the previous flush.
  void flush_uses();

  // Register before the first sync that matters (at start-up).
  void on_revoked(RevokedListener listener);

 private:
  struct Entry {
    PersonalTokenGrant grant;
    // Unix seconds of the last use admitted, and of the last one written.
    mutable std::atomic<std::int64_t> last_used{0};
    std::int64_t last_written = 0;
  };
  using Entries = std::unordered_map<std::string, std::shared_ptr<Entry>>;

  PersonalTokenStore* store_;
  const UserStore* users_;
  Clock clock_;
  mutable std::shared_mutex mutex_;  // guards entries_
  Entries entries_;
  std::mutex sync_mutex_;  // one sync or flush at a time
  std::vector<RevokedListener> listeners_;
};

}  // namespace blender_bus::auth
