#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/personal_token_store.hpp"
#include "store/database.hpp"

namespace blender_bus::auth {

// PersonalTokenStore in the personal_tokens table (auth_schema.hpp), for a
// single node and for `blender-bus token` on its data directory.
class SqlitePersonalTokenStore final : public PersonalTokenStore {
 public:
  explicit SqlitePersonalTokenStore(store::Database& db);

  bool add(std::string_view token_hash, const PersonalTokenRecord& record) override;
  std::vector<PersonalTokenRecord> list(std::string_view username) const override;
  std::vector<PersonalTokenGrant> grants(std::int64_t now) override;
  bool remove(std::string_view username, std::string_view name) override;
  int remove_user(std::string_view username) override;
  void record_use(const std::vector<std::pair<std::string, std::int64_t>>& uses) override;

 private:
  store::Database* db_;
};

}  // namespace blender_bus::auth
