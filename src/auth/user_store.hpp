#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/user_record.hpp"

namespace blender_bus::auth {

// Where users live: the embedded store (SqliteUserStore) or the cluster's
// KV (auth_kv::KvUserStore); the composition root picks one. Passwords are
// kept as argon2id hashes (PasswordHasher), hashed and verified outside any
// store lock. Every call may block on its store (a disk, a NATS round trip):
// call it from a worker thread, never an I/O thread. Thread-safe.
class UserStore {
 public:
  virtual ~UserStore() = default;

  // Creates a user; false when the name is taken. Throws std::invalid_argument
  // naming the problem for a bad username (username_problem) or password.
  virtual bool add(std::string_view username, std::string_view password,
                   const std::vector<std::string>& roles,
                   const std::vector<std::string>& scopes) = 0;

  // Replaces a password and revokes the user's access tokens (their token
  // generation moves on); false when there is no such user. The caller decides
  // whether to revoke the user's refresh tokens (RefreshTokenStore).
  virtual bool set_password(std::string_view username, std::string_view password) = 0;

  // Deletes a user and their refresh tokens; false when absent. The name's
  // token generation moves on and stays, so no token of the deleted user
  // works for a later user of the same name.
  virtual bool remove(std::string_view username) = 0;

  // Moves the user's token generation on (logout): every access token issued
  // so far is refused from then on. False when there is no such user.
  virtual bool revoke_access_tokens(std::string_view username) = 0;

  virtual std::optional<UserRecord> find(std::string_view username) const = 0;
  virtual std::vector<UserRecord> list() const = 0;  // by username
  virtual std::size_t count() const = 0;

  // The user when `password` is theirs. An unknown or invalid username costs
  // the same hash work as a known one (PasswordHasher::verify_dummy), so the
  // answer's timing does not tell whether a user exists.
  virtual std::optional<UserRecord> verify_credentials(std::string_view username,
                                                       std::string_view password) const = 0;
};

}  // namespace blender_bus::auth
