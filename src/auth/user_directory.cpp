#include "auth/user_directory.hpp"

#include <set>

namespace blender_bus::auth {

UserDirectory::UserDirectory(const UserStore& users) : users_(&users) {
  for (const UserRecord& user : users.list()) {
    entries_.emplace(user.username, Entry{user.token_generation, user.created_at});
  }
}

bool UserDirectory::knows(std::string_view username) const {
  std::shared_lock lock(mutex_);
  return entries_.find(username) != entries_.end();
}

bool UserDirectory::admits(std::string_view username, std::uint64_t generation) const {
  std::shared_lock lock(mutex_);
  const auto it = entries_.find(username);
  return it != entries_.end() && it->second.generation == generation;
}

std::optional<UserChange> UserDirectory::apply(const std::string& username,
                                               const std::optional<Entry>& now) {
  std::unique_lock lock(mutex_);
  const auto it = entries_.find(username);
  if (!now) {
    if (it == entries_.end()) return std::nullopt;
    entries_.erase(it);
    return UserChange{username, UserChange::Kind::removed};
  }
  if (it == entries_.end()) {
    entries_.emplace(username, *now);
    return std::nullopt;
  }
  const Entry before = it->second;
  it->second = *now;
  // created_at tells a namesake (deleted and added again between two syncs)
  // from a new password: both move the generation on.
  if (before.created_at != now->created_at) return UserChange{username, UserChange::Kind::removed};
  if (before.generation != now->generation) return UserChange{username, UserChange::Kind::revoked};
  return std::nullopt;
}

void UserDirectory::sync() {
  std::lock_guard order(sync_mutex_);
  const std::vector<UserRecord> users = users_->list();
  std::set<std::string, std::less<>> present;
  std::vector<UserChange> changes;
  for (const UserRecord& user : users) {
    present.insert(user.username);
    if (auto change = apply(user.username, Entry{user.token_generation, user.created_at})) {
      changes.push_back(std::move(*change));
    }
  }
  std::vector<std::string> gone;
  {
    std::shared_lock lock(mutex_);
    for (const auto& [name, entry] : entries_) {
      if (!present.contains(name)) gone.push_back(name);
    }
  }
  for (const std::string& name : gone) {
    if (auto change = apply(name, std::nullopt)) changes.push_back(std::move(*change));
  }
  notify(changes);
}

void UserDirectory::sync(std::string_view username) {
  std::lock_guard order(sync_mutex_);
  const std::optional<UserRecord> user = users_->find(username);
  std::optional<Entry> now;
  if (user) now = Entry{user->token_generation, user->created_at};
  if (auto change = apply(std::string(username), now)) notify({*change});
}

void UserDirectory::observe(const UserRecord& user) {
  {
    std::shared_lock lock(mutex_);
    const auto it = entries_.find(user.username);
    if (it != entries_.end() && it->second.generation == user.token_generation &&
        it->second.created_at == user.created_at) {
      return;
    }
  }
  sync(user.username);
}

void UserDirectory::on_change(Listener listener) {
  std::lock_guard order(sync_mutex_);
  listeners_.push_back(std::move(listener));
}

void UserDirectory::notify(const std::vector<UserChange>& changes) const {
  for (const UserChange& change : changes) {
    for (const Listener& listener : listeners_) listener(change);
  }
}

}  // namespace blender_bus::auth
