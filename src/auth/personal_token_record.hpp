#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace blender_bus::auth {

// A stored personal access token, without its secret. Times are Unix seconds.
struct PersonalTokenRecord {
  std::string username;
  std::string name;  // unique per user
  std::vector<std::string> scopes;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> expires_at;    // nullopt: never
  std::optional<std::int64_t> last_used_at;  // nullopt: never used
};

// What a request presenting the token acts as: the record, its hash, and
// its owner's roles (read at sync, so a request needs no other lookup).
struct PersonalTokenGrant {
  std::string token_hash;  // hex SHA-256 of the token
  PersonalTokenRecord record;
  std::vector<std::string> roles;
};

}  // namespace blender_bus::auth
