#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "auth/clock.hpp"
#include "auth/personal_token_record.hpp"
#include "auth/personal_token_store.hpp"
#include "auth/token_lifetime.hpp"
#include "auth/user_store.hpp"

namespace blender_bus::auth {

// What a creator asks for; absent fields take the defaults.
struct PersonalTokenRequest {
  std::string username;
  std::string name;
  std::optional<std::vector<std::string>> scopes;  // default: the user's scopes
  std::optional<TokenLifetime> lifetime;           // default: 90 days
};

struct CreatedPersonalToken {
  std::string token;  // the secret: shown once, never stored
  PersonalTokenRecord record;
};

// Why a token was not created or revoked: `not_found` for an unknown user
// or token name, `conflict` for a name the user already has, `invalid` for a
// bad name, scope or lifetime. `detail` says which, for a person.
struct PersonalTokenProblem {
  enum class Kind { invalid, not_found, conflict };
  Kind kind = Kind::invalid;
  std::string detail;
};

// Creating, listing and revoking personal access tokens, with the rules
// that bound them, for /auth/tokens and `blender-bus token`. A token's
// scopes are the user's own or fewer, plus `metrics` for an admin. Calls
// block on the store: run them on a worker, never an I/O thread.
class PersonalTokens {
 public:
  PersonalTokens(PersonalTokenStore& store, const UserStore& users, Clock clock = system_clock())
      : store_(&store), users_(&users), clock_(std::move(clock)) {}

  std::variant<CreatedPersonalToken, PersonalTokenProblem> create(
      const PersonalTokenRequest& request);
  std::vector<PersonalTokenRecord> list(std::string_view username) const {
    return store_->list(username);
  }
  std::optional<PersonalTokenProblem> revoke(std::string_view username, std::string_view name);

 private:
  PersonalTokenStore* store_;
  const UserStore* users_;
  Clock clock_;
};

}  // namespace blender_bus::auth
