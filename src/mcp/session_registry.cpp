#include "mcp/session_registry.hpp"

#include "mcp/random_id.hpp"

namespace blender_bus::mcp {

SessionRegistry::SessionRegistry(SessionLimits limits) : limits_(limits) {}

SessionPtr SessionRegistry::create(const std::string& user_id) {
  auto session = std::make_shared<Session>(random_hex_id(), user_id);
  std::lock_guard lock(mutex_);
  sessions_.emplace(session->id(), session);
  return session;
}

SessionPtr SessionRegistry::find(const std::string& id) const {
  if (!is_hex_id(id)) return nullptr;
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second->ended()) return nullptr;
  return it->second;
}

bool SessionRegistry::end(const std::string& id) {
  SessionPtr session;
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return false;
    session = std::move(it->second);
    sessions_.erase(it);
  }
  notify_end(session);
  return true;
}

std::size_t SessionRegistry::expire_idle(std::chrono::steady_clock::time_point now) {
  std::vector<SessionPtr> expired;
  {
    std::lock_guard lock(mutex_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      const auto& session = it->second;
      const bool streaming = session->outbound().has_consumer();
      if (!streaming && now - session->last_activity() > limits_.idle_timeout) {
        expired.push_back(std::move(it->second));
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const auto& session : expired) notify_end(session);
  return expired.size();
}

void SessionRegistry::end_all() {
  std::unordered_map<std::string, SessionPtr> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(sessions_);
  }
  for (auto& [id, session] : all) notify_end(session);
}

std::size_t SessionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

void SessionRegistry::on_end(EndListener listener) {
  std::lock_guard lock(mutex_);
  listeners_.push_back(std::move(listener));
}

void SessionRegistry::notify_end(const SessionPtr& session) {
  session->end();
  std::vector<EndListener> listeners;
  {
    std::lock_guard lock(mutex_);
    listeners = listeners_;
  }
  for (const auto& listener : listeners) listener(*session);
}

}  // namespace blender_bus::mcp
