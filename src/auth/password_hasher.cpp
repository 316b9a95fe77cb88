#include "auth/password_hasher.hpp"

#include <sodium.h>

#include <stdexcept>

#include "auth/random_text.hpp"
#include "auth/sodium_init.hpp"

namespace blender_bus::auth {

PasswordHashCost PasswordHashCost::interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PasswordHashCost PasswordHashCost::minimum() {
  return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

PasswordHasher::PasswordHasher(PasswordHashCost cost) : cost_(cost) {
  ensure_sodium();
  dummy_hash_ = hash(random_hex(16));
}

std::string PasswordHasher::hash(std::string_view password) const {
  if (password.empty()) throw std::invalid_argument("password must not be empty");
  if (password.size() > kMaxPasswordBytes) {
    throw std::invalid_argument("password is longer than " + std::to_string(kMaxPasswordBytes) +
                                " bytes");
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), cost_.opslimit, cost_.memlimit) !=
      0) {
    // The only documented cause is failing to allocate memlimit bytes.
    throw std::runtime_error("argon2id hashing failed (out of memory?)");
  }
  return std::string(out);
}

bool PasswordHasher::verify(std::string_view stored_hash, std::string_view password) const {
  if (password.empty() || password.size() > kMaxPasswordBytes) return false;
  verifications_.fetch_add(1, std::memory_order_relaxed);
  // crypto_pwhash_str_verify reads a NUL-terminated hash.
  const std::string terminated(stored_hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

void PasswordHasher::verify_dummy(std::string_view password) const {
  (void)verify(dummy_hash_, password);
}

}  // namespace blender_bus::auth
