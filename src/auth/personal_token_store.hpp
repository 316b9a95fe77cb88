#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/personal_token_record.hpp"

namespace blender_bus::auth {

// Where personal access tokens live, by the SHA-256 of their secret, so that
// a copy of the store yields no usable token: the embedded store
// (SqlitePersonalTokenStore) or a cluster's KV (auth_kv). The owner's roles
// and existence are the user store's (PersonalTokenDirectory reads them).
// Implementations are thread-safe and throw their store's errors.
class PersonalTokenStore {
 public:
  virtual ~PersonalTokenStore() = default;

  // Stores the token whose SHA-256 is `token_hash` for `record.username`.
  // False, and nothing stored, when the user already has a token of that name.
  virtual bool add(std::string_view token_hash, const PersonalTokenRecord& record) = 0;

  // The user's tokens, by name.
  virtual std::vector<PersonalTokenRecord> list(std::string_view username) const = 0;

  // Every unexpired token at `now` (roles left empty: the owner's are the
  // user store's); expired ones are deleted first.
  virtual std::vector<PersonalTokenGrant> grants(std::int64_t now) = 0;

  // Deletes the user's token `name`; false when there is none.
  virtual bool remove(std::string_view username, std::string_view name) = 0;
  // Deletes every token of `username` (the user was deleted); returns how many.
  virtual int remove_user(std::string_view username) = 0;

  // Records when tokens were last used ((hash, Unix seconds) pairs); a hash
  // no longer stored is skipped (never brought back).
  virtual void record_use(const std::vector<std::pair<std::string, std::int64_t>>& uses) = 0;
};

}  // namespace blender_bus::auth
