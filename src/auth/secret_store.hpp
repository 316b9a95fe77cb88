#pragma once

#include <string>

namespace blender_bus::auth {

// Where the generated HS256 signing secret lives when OAUTH_SECRET_KEY is
// not set: a file in the data directory (SecretFile), or the cluster's KV
// (auth_kv::KvSecretStore), so that every node signs with the same one.
class SecretStore {
 public:
  virtual ~SecretStore() = default;
  // The stored secret; the first call anywhere creates it from 32 random
  // bytes (64 hex digits), and of callers racing to create it, all get the
  // one that won. Throws std::runtime_error when it cannot be stored or read,
  // or what is stored is too short to be a secret.
  virtual std::string load_or_create() = 0;
};

// Below this a key is guessable offline from any one token (RFC 7518 §3.2:
// an HS256 key must have at least the hash's 256 bits).
inline constexpr std::size_t kMinimumSecretBytes = 32;

}  // namespace blender_bus::auth
