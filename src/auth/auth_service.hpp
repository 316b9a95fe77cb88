#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "auth/refresh_token_store.hpp"
#include "auth/token_service.hpp"
#include "auth/user_directory.hpp"
#include "auth/user_store.hpp"

namespace blender_bus::auth {

struct TokenPair {
  IssuedToken access;
  IssuedToken refresh;
};

struct LoginSuccess {
  UserRecord user;
  TokenPair tokens;
};

// Why /auth/refresh refused; `detail` is SPEC §2's text.
struct RefreshFailure {
  std::string detail;  // "Invalid refresh token" | "Not a refresh token" | "User not found"
};

// Login, refresh rotation and logout: what the /auth routes do, without HTTP.
// Every call may block on the store or hash a password: call it from a worker
// thread (WorkerPool), never an I/O thread.
class AuthService {
 public:
  AuthService(UserStore& users, RefreshTokenStore& refresh_tokens, const TokenService& tokens,
              UserDirectory& directory);

  // Tokens for a user whose password matches; nullopt otherwise (unknown user
  // included, at the same hash cost).
  std::optional<LoginSuccess> login(std::string_view username, std::string_view password);

  // Exchanges a usable refresh token for a new access token and a new refresh
  // token; the old one is revoked in the same transaction (rotation), so it
  // works once.
  std::variant<TokenPair, RefreshFailure> refresh(std::string_view refresh_token);

  // Revokes all of the user's tokens: the refresh tokens in the store, the
  // access tokens by moving the user's token generation on; the directory's
  // listeners end the user's sessions.
  void logout(std::string_view user_id);

  std::chrono::seconds access_lifetime() const { return tokens_->config().access_lifetime; }

 private:
  TokenPair issue_pair(const UserRecord& user) const;

  UserStore* users_;
  RefreshTokenStore* refresh_tokens_;
  const TokenService* tokens_;
  UserDirectory* directory_;
};

}  // namespace blender_bus::auth
