#include "mcp/session_registry.hpp"

#include "mcp/random_id.hpp"

namespace blender_bus::mcp {

SessionRegistry::SessionRegistry(SessionLimits limits) : limits_(limits) {}

SessionPtr SessionRegistry::create(const std::string& user_id) {
  auto session = std::make_shared<Session>(random_hex_id(), user_id);
  std::lock_guard lock(mutex_);
  std::size_t& open = per_user_[user_id];
  if (open >= limits_.max_per_user) {
    if (open == 0) per_user_.erase(user_id);
    return nullptr;
  }
  ++open;
  sessions_.emplace(session->id(), session);
  return session;
}

void SessionRegistry::erase_locked(std::unordered_map<std::string, SessionPtr>::iterator it) {
  auto count = per_user_.find(it->second->user_id());
  if (count != per_user_.end() && --count->second == 0) per_user_.erase(count);
  sessions_.erase(it);
}

SessionPtr SessionRegistry::find(const std::string& id) const {
  if (!is_hex_id(id)) return nullptr;
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second->ended()) return nullptr;
  return it->second;
}

SessionPtr SessionRegistry::find_for_user(const std::string& id, std::string_view user_id) const {
  SessionPtr session = find(id);
  if (!session || session->user_id() != user_id) return nullptr;
  return session;
}

bool SessionRegistry::end(const std::string& id) {
  SessionPtr session;
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return false;
    session = it->second;
    erase_locked(it);
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
      const bool streaming = session->stream_signal().has_consumer();
      if (!streaming && now - session->last_activity() > limits_.idle_timeout) {
        expired.push_back(it->second);
        erase_locked(it++);
      } else {
        ++it;
      }
    }
  }
  for (const auto& session : expired) notify_end(session);
  return expired.size();
}

std::size_t SessionRegistry::end_user(const std::string& user_id) {
  // A scan: revocation is rare, and sessions are not indexed by user.
  std::vector<SessionPtr> ended;
  {
    std::lock_guard lock(mutex_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if (it->second->user_id() == user_id) {
        ended.push_back(std::move(it->second));
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const auto& session : ended) notify_end(session);
  return ended.size();
}

void SessionRegistry::end_all() {
  std::unordered_map<std::string, SessionPtr> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(sessions_);
    per_user_.clear();
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
