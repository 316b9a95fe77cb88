#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/personal_token_record.hpp"
#include "store/database.hpp"

namespace blender_bus::auth {

// The personal_tokens table (auth_schema.hpp): tokens by the SHA-256 of
// their secret, so that a copy of the database file yields no usable token.
// The owner's roles and existence are the user store's (PersonalTokenDirectory
// reads them), so the table also serves a cluster node. Thread-safe.
class PersonalTokenStore {
 public:
  explicit PersonalTokenStore(store::Database& db);

  // Stores the token whose SHA-256 is `token_hash` for `record.username`.
  // False, and nothing stored, when the user already has a token of that name.
  bool add(std::string_view token_hash, const PersonalTokenRecord& record);

  // The user's tokens, by name.
  std::vector<PersonalTokenRecord> list(std::string_view username) const;

  // Every unexpired token at `now` (roles left empty: the owner's are the
  // user store's); expired rows are deleted first.
  std::vector<PersonalTokenGrant> grants(std::int64_t now);

  // Deletes the user's token `name`; false when there is none.
  bool remove(std::string_view username, std::string_view name);
  // Deletes every token of `username` (the user was deleted); returns how many.
  int remove_user(std::string_view username);

  // Records when tokens were last used ((hash, Unix seconds) pairs), in one
  // transaction; a hash no longer stored is skipped.
  void record_use(const std::vector<std::pair<std::string, std::int64_t>>& uses);

 private:
  store::Database* db_;
};

}  // namespace blender_bus::auth
