#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "mcp/session.hpp"

namespace blender_bus::mcp {

struct SessionLimits {
  std::chrono::seconds idle_timeout{30 * 60};
};

// All live sessions, by id. Thread-safe.
class SessionRegistry {
 public:
  explicit SessionRegistry(SessionLimits limits);

  // Creates a session with a cryptographically random id.
  SessionPtr create(const std::string& user_id);
  // nullptr when unknown or ended.
  SessionPtr find(const std::string& id) const;
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

  SessionLimits limits_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, SessionPtr> sessions_;
  std::vector<EndListener> listeners_;
};

}  // namespace blender_bus::mcp
