#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace blender_bus::auth {

// How fast one address may register OAuth clients (RFC 7591): a bucket of
// `burst` registrations that refills one every `refill_every`.
struct RegistrationThrottlePolicy {
  unsigned burst = 20;
  std::chrono::seconds refill_every{180};
  // Addresses tracked; past it the ones whose buckets are full again go
  // first, then the least recently seen.
  std::size_t max_entries = 65536;
};

// Open registration's rate limit, per address (address_prefix: an IPv4
// address, an IPv6 /64, counted as LoginThrottle counts them). Each
// registration stores a client for good, so without a bound one address
// could fill the store. A client that signs in registers once; a burst
// covers a user trying a few assistants. Memory is bounded (about 100 bytes
// an entry). Thread-safe.
class RegistrationThrottle {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  explicit RegistrationThrottle(
      RegistrationThrottlePolicy policy = {},
      Clock clock = [] { return std::chrono::steady_clock::now(); });

  // Takes one registration from the address's bucket; nullopt when there was
  // one, else how long until there is (for Retry-After).
  std::optional<std::chrono::seconds> admit(std::string_view client_address);
  std::size_t entries() const;

 private:
  using time_point = std::chrono::steady_clock::time_point;
  struct Bucket {
    double tokens = 0;
    time_point updated{};
  };
  double refilled(const Bucket& bucket, time_point now) const;
  void make_room(time_point now);

  const RegistrationThrottlePolicy policy_;
  const Clock clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace blender_bus::auth
