#include "auth/revoked_grants.hpp"

namespace blender_bus::auth {

RevokedGrants::RevokedGrants(OAuthGrantStore& store, std::chrono::seconds access_lifetime,
                             Clock clock)
    : store_(&store), remember_(access_lifetime), clock_(std::move(clock)) {}

bool RevokedGrants::admits(std::string_view grant_id) const {
  std::shared_lock lock(mutex_);
  return !revoked_.contains(std::string(grant_id));
}

void RevokedGrants::sync() {
  std::lock_guard sync_lock(sync_mutex_);
  // A second of slack: a grant revoked in the second a token was issued.
  const auto since = unix_seconds(clock_()) - remember_.count() - 1;
  std::unordered_set<std::string> fresh;
  std::vector<std::string> newly_revoked_users;
  for (auto& [grant_id, username] : store_->revoked_since(since)) {
    {
      std::shared_lock lock(mutex_);
      if (!revoked_.contains(grant_id)) newly_revoked_users.push_back(username);
    }
    fresh.insert(std::move(grant_id));
  }
  {
    std::unique_lock lock(mutex_);
    revoked_ = std::move(fresh);
  }
  for (const auto& username : newly_revoked_users) {
    for (const auto& listener : listeners_) listener(username);
  }
}

void RevokedGrants::on_revoked(RevokedListener listener) {
  std::lock_guard sync_lock(sync_mutex_);
  listeners_.push_back(std::move(listener));
}

}  // namespace blender_bus::auth
