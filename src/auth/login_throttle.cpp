#include "auth/login_throttle.hpp"

#include <algorithm>

#include "auth/address_prefix.hpp"
#include "auth/username.hpp"

namespace blender_bus::auth {

namespace {

// Longer names are not usernames (username.hpp); their prefix is key enough.
constexpr std::size_t kMaxNameKeyBytes = 4 * kMaxUsernameCharacters;

std::chrono::seconds ceil_seconds(std::chrono::steady_clock::duration d) {
  return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(d));
}

}  // namespace

LoginThrottle::Entry* LoginThrottle::Table::find(const std::string& key) {
  const auto it = map_.find(key);
  if (it == map_.end()) return nullptr;
  order_.splice(order_.begin(), order_, it->second);
  return &it->second->second;
}

LoginThrottle::Entry& LoginThrottle::Table::get(const std::string& key) {
  if (Entry* entry = find(key)) return *entry;
  if (map_.size() >= capacity_ && !order_.empty()) {
    map_.erase(order_.back().first);
    order_.pop_back();
  }
  order_.emplace_front(key, Entry{});
  map_.emplace(order_.front().first, order_.begin());
  return order_.front().second;
}

LoginThrottle::LoginThrottle(LoginThrottlePolicy policy, Clock clock)
    : policy_(policy),
      clock_(std::move(clock)),
      by_name_(policy.max_entries),
      by_address_(policy.max_entries) {}

std::optional<std::chrono::seconds> LoginThrottle::wait(Entry& entry, unsigned free_failures,
                                                        time_point now) {
  if (entry.in_flight == 0 && entry.failures > 0 &&
      now - entry.last_failure >= policy_.forget_after) {
    entry.failures = 0;
    entry.barred_until = {};
  }
  if (now < entry.barred_until) return ceil_seconds(entry.barred_until - now);
  // A key that has failed may not have more guesses in flight than its free
  // failures left (then one at a time); one that never failed is not held
  // back (many sessions logging in at once), the workers' bound caps it.
  if (entry.failures > 0 && entry.in_flight > 0 &&
      entry.failures + entry.in_flight >= free_failures) {
    return std::chrono::seconds(1);  // about one verification's time
  }
  return std::nullopt;
}

void LoginThrottle::fail(Entry& entry, unsigned free_failures, time_point now) const {
  if (entry.in_flight > 0) --entry.in_flight;
  ++entry.failures;
  entry.last_failure = now;
  if (entry.failures < free_failures) return;
  const unsigned doublings = std::min(entry.failures - free_failures, 30u);
  const auto delay =
      std::min<std::chrono::seconds>(policy_.max_delay, policy_.first_delay * (1LL << doublings));
  entry.barred_until = now + delay;
}

std::variant<LoginThrottle::Attempt, LoginThrottle::Refused> LoginThrottle::admit(
    std::string_view username, std::string_view client_address) {
  Attempt attempt;
  attempt.address_key = address_prefix(client_address);
  attempt.name_key = std::string(username.substr(0, kMaxNameKeyBytes));
  attempt.name_key += '\0';
  attempt.name_key += attempt.address_key;

  const time_point now = clock_();
  std::lock_guard lock(mutex_);
  // Nothing is created for a refused attempt: refusals cost no memory.
  Entry* name = by_name_.find(attempt.name_key);
  if (name) {
    if (auto barred = wait(*name, policy_.free_failures_per_name, now)) return Refused{*barred};
  }
  const bool trusted = name && now < name->trusted_until;
  Entry* address = by_address_.find(attempt.address_key);
  if (address && !trusted) {
    if (auto barred = wait(*address, policy_.free_failures_per_address, now)) {
      return Refused{*barred};
    }
  }
  ++by_name_.get(attempt.name_key).in_flight;
  ++by_address_.get(attempt.address_key).in_flight;
  return attempt;
}

void LoginThrottle::succeeded(const Attempt& attempt) {
  const time_point now = clock_();
  std::lock_guard lock(mutex_);
  if (Entry* name = by_name_.find(attempt.name_key)) {
    const unsigned others_in_flight = name->in_flight > 0 ? name->in_flight - 1 : 0;
    *name = Entry{};
    name->in_flight = others_in_flight;
    name->trusted_until = now + policy_.trust_for;
  }
  if (Entry* address = by_address_.find(attempt.address_key)) {
    if (address->in_flight > 0) --address->in_flight;
  }
}

void LoginThrottle::failed(const Attempt& attempt) {
  failures_.fetch_add(1, std::memory_order_relaxed);
  const time_point now = clock_();
  std::lock_guard lock(mutex_);
  if (Entry* name = by_name_.find(attempt.name_key)) {
    fail(*name, policy_.free_failures_per_name, now);
  }
  if (Entry* address = by_address_.find(attempt.address_key)) {
    fail(*address, policy_.free_failures_per_address, now);
  }
}

void LoginThrottle::abandoned(const Attempt& attempt) {
  std::lock_guard lock(mutex_);
  for (Entry* entry : {by_name_.find(attempt.name_key), by_address_.find(attempt.address_key)}) {
    if (entry && entry->in_flight > 0) --entry->in_flight;
  }
}

std::size_t LoginThrottle::entries() const {
  std::lock_guard lock(mutex_);
  return by_name_.size() + by_address_.size();
}

}  // namespace blender_bus::auth
