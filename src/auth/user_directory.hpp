#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/user_record.hpp"
#include "auth/user_store.hpp"

namespace blender_bus::auth {

// What happened to a user since the directory last read them.
struct UserChange {
  enum class Kind {
    revoked,  // the token generation moved on: logout, a new password
    removed,  // deleted, or deleted and created again under the same name
  };
  std::string username;
  Kind kind = Kind::revoked;
};

// Every user's token generation, in memory, so that each request's token is
// checked against revocation without touching the store: one shared lock and
// a hash lookup. The store stays the truth; sync() re-reads it, whoever wrote
// it (this server's logout, or `blender-bus user passwd|del` in another
// process), and tells the listeners what changed. Thread-safe.
class UserDirectory {
 public:
  using Listener = std::function<void(const UserChange&)>;

  // Reads every user.
  explicit UserDirectory(const UserStore& users);
  UserDirectory(const UserDirectory&) = delete;
  UserDirectory& operator=(const UserDirectory&) = delete;

  // True when `username` exists and `generation` is its token generation.
  bool admits(std::string_view username, std::uint64_t generation) const;
  // True when `username` exists (a personal access token's owner, say).
  bool knows(std::string_view username) const;

  // Re-reads every user (after another process wrote the store), or one user
  // (after this server changed them), and calls the listeners once per change,
  // in order, on the calling thread. Syncs run one at a time. Throws what the
  // store throws; then nothing changes.
  void sync();
  void sync(std::string_view username);
  // `user` as a login just read it from the store: syncs that user when the
  // directory is behind (another process changed them since the last sync),
  // so the changes are acted on before a token of the new generation is out.
  void observe(const UserRecord& user);

  // Register before the first sync that matters (at start-up).
  void on_change(Listener listener);

 private:
  struct Entry {
    std::uint64_t generation = 0;
    double created_at = 0;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Entries = std::unordered_map<std::string, Entry, Hash, std::equal_to<>>;

  // Applies what the store says of `username` (nullopt: no such user) and
  // returns the change, if any. Caller holds sync_mutex_.
  std::optional<UserChange> apply(const std::string& username, const std::optional<Entry>& now);
  void notify(const std::vector<UserChange>& changes) const;

  const UserStore* users_;
  mutable std::shared_mutex mutex_;  // guards entries_
  Entries entries_;
  std::mutex sync_mutex_;  // one sync at a time; listeners run under it, in order
  std::vector<Listener> listeners_;
};

}  // namespace blender_bus::auth
