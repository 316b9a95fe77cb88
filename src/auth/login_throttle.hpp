#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

namespace blender_bus::auth {

// How failed logins are slowed down. A key (see LoginThrottle) may fail
// `free_failures` times; from then on each failure bars it for a delay that
// starts at `first_delay` and doubles up to `max_delay`.
struct LoginThrottlePolicy {
  unsigned free_failures_per_name = 5;      // one username from one address
  unsigned free_failures_per_address = 20;  // any usernames from one address
  std::chrono::seconds first_delay{1};
  std::chrono::seconds max_delay{15 * 60};
  // A key quiet this long starts again from nothing.
  std::chrono::seconds forget_after{24 * 3600};
  // After a correct password, that username from that address is exempt from
  // the address's limit this long (see LoginThrottle).
  std::chrono::seconds trust_for{30 * 24 * 3600};
  // Entries per table; past it the least recently used one goes.
  std::size_t max_entries = 65536;
};

// Exponential backoff of failed logins, counted per (username, address) and
// per address (address_prefix: an IPv4 address, an IPv6 /64), the way careful
// servers do it (OWASP's guidance on blocking brute force; Django-axes and
// fail2ban count by the same keys):
// - nothing depends on whether the username exists: a refusal costs no hash
//   work and reads the same for every name;
// - a username is never barred as such, only from the address its failures
//   came from: an attacker elsewhere cannot lock its owner out;
// - the address limit stops one address guessing many names; a username that
//   logged in correctly from an address is exempt from that address's limit
//   for `trust_for`, so an attacker behind the same NAT or proxy cannot lock
//   out the users who work there (the device-cookie idea, keyed by address);
// - once a key has failed, its attempts in flight count against its free
//   failures (beyond them, one at a time), so parallel guesses do not slip
//   past the count; the workers' queue bounds a first burst;
// - a success clears its (username, address) key, never the address's (an
//   attacker's own account would otherwise reset the address between sprays).
// Memory is bounded: two tables of at most max_entries entries (about 200
// bytes each). Thread-safe.
class LoginThrottle {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // Barred: answer 429 with Retry-After.
  struct Refused {
    std::chrono::seconds retry_after;
  };
  // Admitted: report how it ended exactly once (succeeded, failed or abandoned).
  struct Attempt {
    std::string name_key;
    std::string address_key;
  };

  explicit LoginThrottle(LoginThrottlePolicy policy = {}, Clock clock = steady_clock());

  std::variant<Attempt, Refused> admit(std::string_view username, std::string_view client_address);
  void succeeded(const Attempt& attempt);
  void failed(const Attempt& attempt);
  // Never judged (no worker was free, the store failed): counts as nothing.
  void abandoned(const Attempt& attempt);

  std::size_t entries() const;  // both tables
  // Logins refused for bad credentials so far (for /metrics).
  std::uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }

  static Clock steady_clock() {
    return [] { return std::chrono::steady_clock::now(); };
  }

 private:
  using time_point = std::chrono::steady_clock::time_point;
  struct Entry {
    unsigned failures = 0;
    unsigned in_flight = 0;
    time_point last_failure{};
    time_point barred_until{};
    time_point trusted_until{};
  };
  // Entries by key, most recently used first.
  class Table {
   public:
    explicit Table(std::size_t capacity) : capacity_(capacity) {}
    Entry* find(const std::string& key);
    Entry& get(const std::string& key);  // creates, evicting the oldest when full
    std::size_t size() const { return map_.size(); }

   private:
    using Node = std::pair<std::string, Entry>;
    std::size_t capacity_;
    std::list<Node> order_;
    std::unordered_map<std::string_view, std::list<Node>::iterator> map_;  // views into order_
  };

  // How long `entry` is still barred (nullopt: not), forgetting old failures.
  std::optional<std::chrono::seconds> wait(Entry& entry, unsigned free_failures, time_point now);
  void fail(Entry& entry, unsigned free_failures, time_point now) const;

  const LoginThrottlePolicy policy_;
  const Clock clock_;
  mutable std::mutex mutex_;
  std::atomic<std::uint64_t> failures_{0};
  Table by_name_;
  Table by_address_;
};

}  // namespace blender_bus::auth
