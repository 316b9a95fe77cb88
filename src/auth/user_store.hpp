#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/clock.hpp"
#include "auth/password_hasher.hpp"
#include "auth/user_record.hpp"
#include "store/database.hpp"

namespace blender_bus::auth {

// The users table (auth_schema.hpp). Passwords are kept as argon2id hashes;
// hashing and verifying run outside the database lock, so a login's ~50 ms of
// hash work never stalls other users of the store. Thread-safe.
class UserStore {
 public:
  UserStore(store::Database& db, const PasswordHasher& hasher, Clock clock = system_clock());

  // Creates a user; false when the name is taken. Throws std::invalid_argument
  // naming the problem for a bad username (username_problem) or password.
  bool add(std::string_view username, std::string_view password,
           const std::vector<std::string>& roles, const std::vector<std::string>& scopes);

  // Replaces a password and revokes the user's access tokens (their token
  // generation moves on); false when there is no such user. The caller decides
  // whether to revoke the user's refresh tokens (RefreshTokenStore).
  bool set_password(std::string_view username, std::string_view password);

  // Deletes a user and, by cascade, their refresh tokens; false when absent.
  // The name's token generation moves on and stays, so no token of the
  // deleted user works for a later user of the same name.
  bool remove(std::string_view username);

  // Moves the user's token generation on (logout): every access token issued
  // so far is refused from then on. False when there is no such user.
  bool revoke_access_tokens(std::string_view username);

  std::optional<UserRecord> find(std::string_view username) const;
  std::vector<UserRecord> list() const;  // by username
  std::size_t count() const;

  // The user when `password` is theirs. An unknown or invalid username costs
  // the same hash work as a known one (PasswordHasher::verify_dummy), so the
  // answer's timing does not tell whether a user exists.
  std::optional<UserRecord> verify_credentials(std::string_view username,
                                               std::string_view password) const;

 private:
  store::Database* db_;
  const PasswordHasher* hasher_;
  Clock clock_;
};

}  // namespace blender_bus::auth
