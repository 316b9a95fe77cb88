#include "auth/auth_service.hpp"

namespace blender_bus::auth {

AuthService::AuthService(UserStore& users, RefreshTokenStore& refresh_tokens,
                         const TokenService& tokens, UserDirectory& directory)
    : users_(&users), refresh_tokens_(&refresh_tokens), tokens_(&tokens), directory_(&directory) {}

TokenPair AuthService::issue_pair(const UserRecord& user) const {
  // What the store said may be news to the directory (`user passwd|del` in
  // another process since its last poll): it acts on that first.
  directory_->observe(user);
  return {tokens_->issue_access(user.principal(), user.token_generation),
          tokens_->issue_refresh(user.username)};
}

std::optional<LoginSuccess> AuthService::login(std::string_view username,
                                               std::string_view password) {
  auto user = users_->verify_credentials(username, password);
  if (!user) return std::nullopt;
  LoginSuccess out{std::move(*user), {}};
  out.tokens = issue_pair(out.user);
  refresh_tokens_->add(out.tokens.refresh, out.user.username, tokens_->now());
  return out;
}

std::variant<TokenPair, RefreshFailure> AuthService::refresh(std::string_view refresh_token) {
  auto verified = tokens_->verify_refresh(refresh_token);
  if (const auto* e = std::get_if<TokenError>(&verified)) {
    // An access token (or anything else of ours with another type) is told
    // apart; every other fault reads the same to the caller.
    if (e->kind == TokenError::Kind::wrong_type) return RefreshFailure{"Not a refresh token"};
    return RefreshFailure{"Invalid refresh token"};
  }
  const RefreshClaims& claims = std::get<RefreshClaims>(verified);
  const auto user = users_->find(claims.user_id);
  if (!user) return RefreshFailure{"User not found"};
  TokenPair pair = issue_pair(*user);
  if (!refresh_tokens_->rotate(claims.jti, refresh_token, user->username, pair.refresh,
                               tokens_->now())) {
    return RefreshFailure{"Invalid refresh token"};  // revoked, reused or unknown
  }
  return pair;
}

void AuthService::logout(std::string_view user_id) {
  refresh_tokens_->revoke_all(user_id, tokens_->now());
  users_->revoke_access_tokens(user_id);
  directory_->sync(user_id);
}

}  // namespace blender_bus::auth
