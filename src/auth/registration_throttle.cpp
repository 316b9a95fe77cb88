#include "auth/registration_throttle.hpp"

#include <algorithm>
#include <cmath>

#include "auth/address_prefix.hpp"

namespace blender_bus::auth {

RegistrationThrottle::RegistrationThrottle(RegistrationThrottlePolicy policy, Clock clock)
    : policy_(policy), clock_(std::move(clock)) {}

double RegistrationThrottle::refilled(const Bucket& bucket, time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  const double interval = std::chrono::duration<double>(policy_.refill_every).count();
  return std::min<double>(policy_.burst, bucket.tokens + elapsed / interval);
}

void RegistrationThrottle::make_room(time_point now) {
  std::erase_if(buckets_,
                [&](const auto& item) { return refilled(item.second, now) >= policy_.burst; });
  if (buckets_.size() < policy_.max_entries) return;
  buckets_.erase(std::min_element(
      buckets_.begin(), buckets_.end(),
      [](const auto& a, const auto& b) { return a.second.updated < b.second.updated; }));
}

std::optional<std::chrono::seconds> RegistrationThrottle::admit(std::string_view client_address) {
  const time_point now = clock_();
  std::string key = address_prefix(client_address);
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= policy_.max_entries) make_room(now);
    it = buckets_.emplace(std::move(key), Bucket{static_cast<double>(policy_.burst), now}).first;
  }
  Bucket& bucket = it->second;
  bucket.tokens = refilled(bucket, now);
  bucket.updated = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return std::nullopt;
  }
  const double wait =
      (1 - bucket.tokens) * std::chrono::duration<double>(policy_.refill_every).count();
  return std::chrono::seconds(static_cast<long long>(std::ceil(wait)));
}

std::size_t RegistrationThrottle::entries() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace blender_bus::auth
