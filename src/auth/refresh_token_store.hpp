#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "auth/token_claims.hpp"
#include "store/database.hpp"

namespace blender_bus::auth {

// Issued refresh tokens (auth_schema.hpp), kept by jti with the token's
// SHA-256 rather than the token itself, so that a copy of the database file
// yields no usable token. A token is usable while it is stored, unrevoked and
// unexpired; expired rows are purged as new ones are added. Thread-safe.
class RefreshTokenStore {
 public:
  using time_point = std::chrono::system_clock::time_point;

  explicit RefreshTokenStore(store::Database& db);

  // Records a newly issued token of `username` (who must exist).
  void add(const IssuedToken& token, std::string_view username, time_point now);

  // In one transaction: revokes the usable token (`jti`, `token`) of
  // `username` and records `replacement`. False, and nothing changes, when
  // the old token is not usable: unknown, revoked, expired, or a second
  // concurrent use of the same token (only one rotation wins).
  bool rotate(std::string_view jti, std::string_view token, std::string_view username,
              const IssuedToken& replacement, time_point now);

  bool is_usable(std::string_view jti, std::string_view token, time_point now) const;

  // Revokes every usable token of `username` (logout); returns how many.
  int revoke_all(std::string_view username, time_point now);

  // Deletes rows past their expiry; returns how many.
  int purge_expired(time_point now);

 private:
  store::Database* db_;
};

}  // namespace blender_bus::auth
