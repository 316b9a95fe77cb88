#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "auth/oauth_grant.hpp"

namespace blender_bus::auth {

// Where the authorization server's grants, codes and refresh tokens live:
// the embedded store (SqliteOAuthGrantStore) or a cluster's KV (auth_kv), so
// that a code or refresh token issued on one node works once on any node and
// a grant revoked anywhere is revoked everywhere. Codes and refresh tokens
// are kept by the SHA-256 of their text, so that a copy of the store yields
// none. A grant's family is usable while the grant is unrevoked; revoking it
// ends every code and refresh token it has. Times are Unix seconds.
// Implementations are thread-safe and throw their store's errors.
class OAuthGrantStore {
 public:
  virtual ~OAuthGrantStore() = default;

  // Records a consent and its first code. False, and nothing stored, when the user or the
  // client does not exist.
  virtual bool add_grant(const OAuthGrant& grant, std::string_view code_hash,
                         std::string_view redirect_uri, std::string_view code_challenge,
                         std::int64_t code_expires_at) = 0;

  struct Redeemed {
    OAuthCode code;
  };
  // The code was redeemed before: its grant is revoked here (RFC 6749 §4.1.2).
  struct Reused {
    std::string username;
  };
  struct Unknown {};  // unknown, expired, or its grant revoked
  // Marks the code used, whatever the caller then decides: one try per code,
  // also when two nodes try it at once.
  virtual std::variant<Redeemed, Reused, Unknown> redeem_code(std::string_view code_hash,
                                                              std::int64_t now) = 0;

  // Makes `token_hash` the grant's current refresh token.
  virtual void add_refresh(std::string_view grant_id, std::string_view token_hash,
                           std::int64_t expires_at) = 0;

  struct Rotated {
    OAuthGrant grant;
  };
  // As one step: the current token `token_hash` is retired and
  // `replacement_hash` becomes current (of two nodes rotating it at once,
  // one rotates and the other sees a reuse). A retired one presented again
  // revokes the whole grant (Reused); unknown, expired or revoked: Unknown.
  // A token of another client than `client_id` is Unknown, and unchanged.
  virtual std::variant<Rotated, Reused, Unknown> rotate_refresh(std::string_view token_hash,
                                                                std::string_view client_id,
                                                                std::string_view replacement_hash,
                                                                std::int64_t replacement_expires_at,
                                                                std::int64_t now) = 0;

  // Revokes the grant a refresh token belongs to (RFC 7009), when it is of
  // `client_id` (any client when ""); the grant's user, or nullopt when the
  // token is unknown, another client's, or its grant already revoked.
  virtual std::optional<std::string> revoke_by_refresh(std::string_view token_hash,
                                                       std::string_view client_id,
                                                       std::int64_t now) = 0;
  // Revokes a grant by id; its user, or nullopt (unknown or already revoked).
  virtual std::optional<std::string> revoke_grant(std::string_view grant_id, std::int64_t now) = 0;
  // Revokes every live grant of `username` to `client_id`; how many.
  virtual int revoke_client(std::string_view username, std::string_view client_id,
                            std::int64_t now) = 0;

  // Grants revoked after `since` (grant id, user): what the server keeps in
  // memory to refuse their access tokens until those expire.
  virtual std::vector<std::pair<std::string, std::string>> revoked_since(
      std::int64_t since) const = 0;

  // The clients `username` holds a live grant for at `now` (unrevoked, with
  // a current refresh token or an unused code unexpired), by client id.
  virtual std::vector<ConsentedClient> consented_clients(std::string_view username,
                                                         std::int64_t now) const = 0;

  // Deletes what can no longer be used at `now`: expired codes and refresh
  // tokens, grants left with neither, and grants revoked before
  // `forget_revoked_before` (once their access tokens have expired).
  virtual void purge(std::int64_t now, std::int64_t forget_revoked_before) = 0;
};

}  // namespace blender_bus::auth
