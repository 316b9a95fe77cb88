#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "auth/refresh_token_store.hpp"
#include "auth/token_claims.hpp"
#include "store/database.hpp"

namespace blender_bus::auth {

// RefreshTokenStore in the embedded store's refresh_tokens table
// (auth_schema.hpp); expired rows are purged as new ones are added.
// Thread-safe.
class SqliteRefreshTokenStore final : public RefreshTokenStore {
 public:
  explicit SqliteRefreshTokenStore(store::Database& db);

  void add(const IssuedToken& token, std::string_view username, time_point now) override;
  bool rotate(std::string_view jti, std::string_view token, std::string_view username,
              const IssuedToken& replacement, time_point now) override;
  bool is_usable(std::string_view jti, std::string_view token, time_point now) const override;
  void revoke_all(std::string_view username, time_point now) override;
  // Revokes every usable token of `username`; returns how many.
  int revoke_all_counted(std::string_view username, time_point now);

  // Deletes rows past their expiry; returns how many.
  int purge_expired(time_point now);

 private:
  store::Database* db_;
};

}  // namespace blender_bus::auth
