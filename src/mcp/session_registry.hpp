#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mcp/session.hpp"

namespace blender_bus::mcp {

struct SessionLimits {
  std::chrono::seconds idle_timeout{30 * 60};
  // Open sessions per user (each holds memory and may hold a stream), so one
  // user cannot exhaust the server for everyone.
  std::size_t max_per_user = 256;
};

// All live sessions, by id. Thread-safe.
class SessionRegistry {
 public:
  explicit SessionRegistry(SessionLimits limits);

  // Creates a session with a cryptographically random id; nullptr when the
  // user already has max_per_user sessions open.
  SessionPtr create(const std::string& user_id);
  // nullptr when unknown or ended.
  SessionPtr find(const std::string& id) const;
  // The same, and nullptr for another user's session too: a session id is
  // usable only by the user who opened it, and a foreign one is answered like
  // an unknown one (no probing for live ids).
  SessionPtr find_for_user(const std::string& id, std::string_view user_id) const;
  // Ends and forgets the session; listeners are told. False if unknown.
  bool end(const std::string& id);
  // Ends sessions idle longer than the limit and without an open stream.
  std::size_t expire_idle(std::chrono::steady_clock::time_point now);
  // Ends every session of `user_id` (their tokens were revoked); their
  // streams end and listeners are told. Returns how many ended.
  std::size_t end_user(const std::string& user_id);
  // Ends every session (shutdown).
  void end_all();
  std::size_t size() const;

  // Called (outside the registry lock) after a session has ended, for any
  // reason. The bus uses it to drop ephemeral clients.
  using EndListener = std::function<void(const Session&)>;
  void on_end(EndListener listener);

  const SessionLimits& limits() const { return limits_; }

 private:
  void notify_end(const SessionPtr& session);
  // Forgets `session` (lock held).
  void erase_locked(std::unordered_map<std::string, SessionPtr>::iterator it);

  SessionLimits limits_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, SessionPtr> sessions_;
  std::unordered_map<std::string, std::size_t> per_user_;  // open sessions by user
  std::vector<EndListener> listeners_;
};

}  // namespace blender_bus::mcp
