#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace blender_bus::auth {

// argon2id work factors. `interactive` is libsodium's recommendation for
// logins (2 passes, 64 MiB); `minimum` exists so that tests run fast.
struct PasswordHashCost {
  unsigned long long opslimit;
  std::size_t memlimit;

  static PasswordHashCost interactive();
  static PasswordHashCost minimum();
};

// Salted, memory-hard password hashes (argon2id via libsodium), stored as the
// self-describing "$argon2id$…" string, so the cost can change without
// invalidating stored hashes.
class PasswordHasher {
 public:
  // Longer passwords are refused outright: no one types more, and it bounds
  // the work an anonymous request can cause.
  static constexpr std::size_t kMaxPasswordBytes = 1024;

  explicit PasswordHasher(PasswordHashCost cost = PasswordHashCost::interactive());

  // Throws std::invalid_argument for an empty or over-long password.
  std::string hash(std::string_view password) const;

  // False for a wrong, empty or over-long password or a corrupt hash.
  bool verify(std::string_view stored_hash, std::string_view password) const;

  // Does the work of verify() against a hash of no one's password, so that a
  // login for an unknown user costs what one for a known user costs.
  void verify_dummy(std::string_view password) const;

  // argon2id verifications run so far (real and dummy), for metrics and for
  // tests that prove an unknown user costs a verification too.
  std::uint64_t verifications() const { return verifications_.load(std::memory_order_relaxed); }

 private:
  PasswordHashCost cost_;
  std::string dummy_hash_;
  mutable std::atomic<std::uint64_t> verifications_{0};
};

}  // namespace blender_bus::auth
