#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/clock.hpp"
#include "auth/password_hasher.hpp"
#include "auth/user_record.hpp"
#include "auth/user_store.hpp"
#include "store/database.hpp"

namespace blender_bus::auth {

// UserStore in the embedded store's users table (auth_schema.hpp). Hashing
// and verifying run outside the database lock, so a login's ~50 ms of hash
// work never stalls other users of the store. Deleting a user deletes their
// refresh tokens by cascade. Thread-safe.
class SqliteUserStore final : public UserStore {
 public:
  SqliteUserStore(store::Database& db, const PasswordHasher& hasher, Clock clock = system_clock());

  bool add(std::string_view username, std::string_view password,
           const std::vector<std::string>& roles, const std::vector<std::string>& scopes) override;
  bool set_password(std::string_view username, std::string_view password) override;
  bool remove(std::string_view username) override;
  bool revoke_access_tokens(std::string_view username) override;
  std::optional<UserRecord> find(std::string_view username) const override;
  std::vector<UserRecord> list() const override;
  std::size_t count() const override;
  std::optional<UserRecord> verify_credentials(std::string_view username,
                                               std::string_view password) const override;

 private:
  store::Database* db_;
  const PasswordHasher* hasher_;
  Clock clock_;
};

}  // namespace blender_bus::auth
