#include "auth/bearer_authenticator.hpp"

#include "auth/jwt_parts.hpp"
#include "auth/personal_token.hpp"

namespace blender_bus::auth {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

AuthOutcome BearerAuthenticator::authenticate(std::string_view authorization) const {
  const std::string_view value = trim(authorization);
  std::size_t scheme_end = 0;
  while (scheme_end < value.size() && !is_space(value[scheme_end])) ++scheme_end;
  const std::string_view token = trim(value.substr(scheme_end));
  if (!iequals(value.substr(0, scheme_end), "bearer") || token.empty()) {
    return AuthFailure{"Bearer token required"};
  }
  if (is_personal_token(token)) {
    auto admitted = personal_tokens_->admit(token);
    if (auto* refusal = std::get_if<PersonalTokenRefusal>(&admitted)) {
      return AuthFailure{"Invalid token: " + refusal->reason};
    }
    // The owner may be gone before the tokens' next sync (another node's
    // `user del`): the directory knows at once.
    if (!directory_->knows(std::get<Principal>(admitted).user_id)) {
      return AuthFailure{"Invalid token: unknown or revoked personal access token"};
    }
    return std::move(std::get<Principal>(admitted));
  }
  if (external_ != nullptr) {
    if (auto parts = split_jwt(token); parts && external_->claims_issuer(*parts)) {
      auto verified = external_->verify(*parts);
      if (auto* refusal = std::get_if<OidcRefusal>(&verified)) {
        return AuthFailure{"Invalid token: " + refusal->reason};
      }
      return std::move(std::get<Principal>(verified));
    }
  }
  auto verified = tokens_->verify_access(token);
  if (auto* e = std::get_if<TokenError>(&verified)) {
    if (e->kind == TokenError::Kind::missing_sub) return AuthFailure{"Token missing sub"};
    return AuthFailure{"Invalid token: " + e->reason};
  }
  AccessClaims& claims = std::get<AccessClaims>(verified);
  if (!claims.grant.audience.empty() && claims.grant.audience != resource_) {
    return AuthFailure{"Invalid token: token is for another audience"};
  }
  if (!directory_->admits(claims.principal.user_id, claims.generation) ||
      (!claims.grant.grant_id.empty() && revoked_grants_ != nullptr &&
       !revoked_grants_->admits(claims.grant.grant_id))) {
    return AuthFailure{"Invalid token: token has been revoked"};
  }
  return std::move(claims.principal);
}

}  // namespace blender_bus::auth
