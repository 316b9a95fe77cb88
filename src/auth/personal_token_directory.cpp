#include "auth/personal_token_directory.hpp"

#include <map>
#include <optional>
#include <set>

#include "auth/sha256.hpp"

namespace blender_bus::auth {

namespace {

constexpr std::int64_t kUseResolutionSeconds = 60;

}  // namespace

PersonalTokenDirectory::PersonalTokenDirectory(PersonalTokenStore& store, const UserStore& users,
                                               Clock clock)
    : store_(&store), users_(&users), clock_(std::move(clock)) {}

std::variant<Principal, PersonalTokenRefusal> PersonalTokenDirectory::admit(
    std::string_view token) const {
  const std::string hash = sha256_hex(token);
  std::shared_ptr<Entry> entry;
  {
    std::shared_lock lock(mutex_);
    auto it = entries_.find(hash);
    if (it != entries_.end()) entry = it->second;
  }
  if (!entry) return PersonalTokenRefusal{"unknown or revoked personal access token"};
  const std::int64_t now = unix_seconds(clock_());
  const PersonalTokenRecord& record = entry->grant.record;
  if (record.expires_at && *record.expires_at <= now) {
    return PersonalTokenRefusal{"personal access token expired"};
  }
  entry->last_used.store(now, std::memory_order_relaxed);
  return Principal{record.username, record.username, entry->grant.roles, record.scopes,
                   Credential::personal_token};
}

void PersonalTokenDirectory::sync() {
  std::lock_guard sync_lock(sync_mutex_);
  std::vector<PersonalTokenGrant> grants = store_->grants(unix_seconds(clock_()));
  // Each owner's roles, once; the tokens of a user who is gone go with them.
  std::map<std::string, std::optional<std::vector<std::string>>> owners;
  for (const PersonalTokenGrant& grant : grants)
    owners.emplace(grant.record.username, std::nullopt);
  for (auto& [username, roles] : owners) {
    if (auto user = users_->find(username)) {
      roles = user->roles;
    } else {
      store_->remove_user(username);
    }
  }
  std::erase_if(grants, [&owners](const PersonalTokenGrant& grant) {
    return !owners.at(grant.record.username).has_value();
  });
  for (PersonalTokenGrant& grant : grants) grant.roles = *owners.at(grant.record.username);
  Entries fresh;
  fresh.reserve(grants.size());
  {
    std::shared_lock lock(mutex_);
    for (PersonalTokenGrant& grant : grants) {
      auto entry = std::make_shared<Entry>();
      if (auto old = entries_.find(grant.token_hash); old != entries_.end()) {
        entry->last_used.store(old->second->last_used.load(std::memory_order_relaxed));
        entry->last_written = old->second->last_written;
      }
      std::string hash = grant.token_hash;
      entry->grant = std::move(grant);
      fresh.emplace(std::move(hash), std::move(entry));
    }
  }
  std::set<std::string> losers;
  {
    std::unique_lock lock(mutex_);
    for (const auto& [hash, entry] : entries_) {
      if (!fresh.contains(hash)) losers.insert(entry->grant.record.username);
    }
    entries_.swap(fresh);
  }
  for (const std::string& username : losers) {
    for (const auto& listener : listeners_) listener(username);
  }
}

void PersonalTokenDirectory::flush_uses() {
  std::lock_guard sync_lock(sync_mutex_);
  std::vector<std::pair<std::string, std::int64_t>> uses;
  std::vector<std::pair<std::shared_ptr<Entry>, std::int64_t>> written;
  {
    std::shared_lock lock(mutex_);
    for (const auto& [hash, entry] : entries_) {
      const std::int64_t used = entry->last_used.load(std::memory_order_relaxed);
      if (used >= entry->last_written + kUseResolutionSeconds) {
        uses.emplace_back(hash, used);
        written.emplace_back(entry, used);
      }
    }
  }
  store_->record_use(uses);
  for (auto& [entry, used] : written) entry->last_written = used;
}

void PersonalTokenDirectory::on_revoked(RevokedListener listener) {
  listeners_.push_back(std::move(listener));
}

}  // namespace blender_bus::auth
