#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "auth/oauth_grant.hpp"
#include "store/database.hpp"

namespace blender_bus::auth {

// The oauth_grants, oauth_codes and oauth_refresh_tokens tables
// (auth_schema.hpp). Codes and refresh tokens are kept by the SHA-256 of
// their text, so that a copy of the database file yields none. A grant's
// family is usable while the grant is unrevoked; revoking it ends every code
// and refresh token it has. Times are Unix seconds. Thread-safe.
class OAuthGrantStore {
 public:
  explicit OAuthGrantStore(store::Database& db);

  // Records a consent and its first code, in one transaction (expired codes
  // are purged first). False, and nothing stored, when the user or the
  // client does not exist.
  bool add_grant(const OAuthGrant& grant, std::string_view code_hash, std::string_view redirect_uri,
                 std::string_view code_challenge, std::int64_t code_expires_at);

  struct Redeemed {
    OAuthCode code;
  };
  // The code was redeemed before: its grant is revoked here (RFC 6749 §4.1.2).
  struct Reused {
    std::string username;
  };
  struct Unknown {};  // unknown, expired, or its grant revoked
  // Marks the code used, whatever the caller then decides: one try per code.
  std::variant<Redeemed, Reused, Unknown> redeem_code(std::string_view code_hash, std::int64_t now);

  // Makes `token_hash` the grant's current refresh token.
  void add_refresh(std::string_view grant_id, std::string_view token_hash, std::int64_t expires_at);

  struct Rotated {
    OAuthGrant grant;
  };
  // In one transaction: the current token `token_hash` is retired and
  // `replacement_hash` becomes current. A retired one presented again
  // revokes the whole grant (Reused); unknown, expired or revoked: Unknown.
  // A token of another client than `client_id` is Unknown, and unchanged.
  std::variant<Rotated, Reused, Unknown> rotate_refresh(std::string_view token_hash,
                                                        std::string_view client_id,
                                                        std::string_view replacement_hash,
                                                        std::int64_t replacement_expires_at,
                                                        std::int64_t now);

  // Revokes the grant a refresh token belongs to (RFC 7009), when it is of
  // `client_id` (any client when ""); the grant's user, or nullopt when the
  // token is unknown, another client's, or its grant already revoked.
  std::optional<std::string> revoke_by_refresh(std::string_view token_hash,
                                               std::string_view client_id, std::int64_t now);
  // Revokes a grant by id; its user, or nullopt (unknown or already revoked).
  std::optional<std::string> revoke_grant(std::string_view grant_id, std::int64_t now);
  // Revokes every live grant of `username` to `client_id`; how many.
  int revoke_client(std::string_view username, std::string_view client_id, std::int64_t now);

  // Grants revoked after `since` (grant id, user): what the server keeps in
  // memory to refuse their access tokens until those expire.
  std::vector<std::pair<std::string, std::string>> revoked_since(std::int64_t since) const;

  // The clients `username` holds a live grant for at `now` (unrevoked, with
  // a current refresh token or an unused code unexpired), by client id.
  std::vector<ConsentedClient> consented_clients(std::string_view username, std::int64_t now) const;

  // Deletes what can no longer be used at `now`: expired codes and refresh
  // tokens, grants left with neither, and grants revoked before
  // `forget_revoked_before` (once their access tokens have expired).
  void purge(std::int64_t now, std::int64_t forget_revoked_before);

 private:
  store::Database* db_;
};

}  // namespace blender_bus::auth
