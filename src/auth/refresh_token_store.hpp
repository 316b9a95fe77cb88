#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "auth/token_claims.hpp"

namespace blender_bus::auth {

// Issued refresh tokens: the embedded store (SqliteRefreshTokenStore) or the
// cluster's KV (auth_kv::KvRefreshTokenStore). Kept by jti with the token's
// SHA-256 rather than the token itself, so that a copy of the store yields no
// usable token. A token is usable while it is stored, unrevoked and
// unexpired, and its user exists. Every call may block on its store: call it
// from a worker thread. Thread-safe.
class RefreshTokenStore {
 public:
  using time_point = std::chrono::system_clock::time_point;

  virtual ~RefreshTokenStore() = default;

  // Records a newly issued token of `username` (who must exist).
  virtual void add(const IssuedToken& token, std::string_view username, time_point now) = 0;

  // Atomically: revokes the usable token (`jti`, `token`) of `username` and
  // records `replacement`. False, and nothing changes, when the old token is
  // not usable: unknown, revoked, expired, or a second concurrent use of the
  // same token (only one rotation wins).
  virtual bool rotate(std::string_view jti, std::string_view token, std::string_view username,
                      const IssuedToken& replacement, time_point now) = 0;

  virtual bool is_usable(std::string_view jti, std::string_view token, time_point now) const = 0;

  // Revokes every usable token of `username` (logout, a new password).
  virtual void revoke_all(std::string_view username, time_point now) = 0;
};

}  // namespace blender_bus::auth
