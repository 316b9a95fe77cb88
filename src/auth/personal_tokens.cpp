#include "auth/personal_tokens.hpp"

#include <algorithm>

#include "auth/personal_token.hpp"
#include "auth/sha256.hpp"

namespace blender_bus::auth {

namespace {

bool contains(const std::vector<std::string>& items, std::string_view item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

std::optional<std::string> scope_problem(const std::vector<std::string>& scopes,
                                         const UserRecord& user) {
  if (scopes.empty()) return "a token needs at least one scope";
  for (const std::string& scope : scopes) {
    if (contains(user.scopes, scope)) continue;
    if (scope == "metrics" && contains(user.roles, "admin")) continue;
    if (scope == "metrics") return "only an admin may create a token with the 'metrics' scope";
    return "scope '" + scope.substr(0, 64) + "' is not one of the user's scopes";
  }
  return std::nullopt;
}

}  // namespace

std::variant<CreatedPersonalToken, PersonalTokenProblem> PersonalTokens::create(
    const PersonalTokenRequest& request) {
  using Kind = PersonalTokenProblem::Kind;
  if (auto problem = token_name_problem(request.name))
    return PersonalTokenProblem{Kind::invalid, *problem};
  const std::optional<UserRecord> user = users_->find(request.username);
  if (!user) return PersonalTokenProblem{Kind::not_found, "no user '" + request.username + "'"};
  std::vector<std::string> scopes = request.scopes.value_or(user->scopes);
  std::sort(scopes.begin(), scopes.end());
  scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
  if (auto problem = scope_problem(scopes, *user))
    return PersonalTokenProblem{Kind::invalid, *problem};

  const std::int64_t now = unix_seconds(clock_());
  const TokenLifetime lifetime = request.lifetime.value_or(kDefaultPersonalTokenLifetime);
  PersonalTokenRecord record{request.username,
                             request.name,
                             std::move(scopes),
                             now,
                             lifetime ? std::optional(now + lifetime->count()) : std::nullopt,
                             std::nullopt};
  std::string token = generate_personal_token();
  if (!store_->add(sha256_hex(token), record)) {
    // The user existed a moment ago; a name taken is the likely reason.
    if (!users_->find(request.username)) {
      return PersonalTokenProblem{Kind::not_found, "no user '" + request.username + "'"};
    }
    return PersonalTokenProblem{Kind::conflict,
                                "a token named '" + request.name + "' exists; revoke it first"};
  }
  return CreatedPersonalToken{std::move(token), std::move(record)};
}

std::optional<PersonalTokenProblem> PersonalTokens::revoke(std::string_view username,
                                                           std::string_view name) {
  if (store_->remove(username, name)) return std::nullopt;
  return PersonalTokenProblem{PersonalTokenProblem::Kind::not_found,
                              "no token named '" + std::string(name.substr(0, 64)) + "'"};
}

}  // namespace blender_bus::auth
