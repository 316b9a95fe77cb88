#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "auth/oauth_grant_store.hpp"
#include "store/database.hpp"

namespace blender_bus::auth {

// OAuthGrantStore in the oauth_grants, oauth_codes and oauth_refresh_tokens
// tables (auth_schema.hpp), for a single node and for `blender-bus oauth` on
// its data directory. Each call is one transaction; a grant references its
// user and client rows, so a deleted user's grants go with them.
class SqliteOAuthGrantStore final : public OAuthGrantStore {
 public:
  explicit SqliteOAuthGrantStore(store::Database& db);

  // Purges expired codes first, in the same transaction.
  bool add_grant(const OAuthGrant& grant, std::string_view code_hash, std::string_view redirect_uri,
                 std::string_view code_challenge, std::int64_t code_expires_at) override;
  std::variant<Redeemed, Reused, Unknown> redeem_code(std::string_view code_hash,
                                                      std::int64_t now) override;
  void add_refresh(std::string_view grant_id, std::string_view token_hash,
                   std::int64_t expires_at) override;
  std::variant<Rotated, Reused, Unknown> rotate_refresh(std::string_view token_hash,
                                                        std::string_view client_id,
                                                        std::string_view replacement_hash,
                                                        std::int64_t replacement_expires_at,
                                                        std::int64_t now) override;
  std::optional<std::string> revoke_by_refresh(std::string_view token_hash,
                                               std::string_view client_id,
                                               std::int64_t now) override;
  std::optional<std::string> revoke_grant(std::string_view grant_id, std::int64_t now) override;
  int revoke_client(std::string_view username, std::string_view client_id,
                    std::int64_t now) override;
  std::vector<std::pair<std::string, std::string>> revoked_since(std::int64_t since) const override;
  std::vector<ConsentedClient> consented_clients(std::string_view username,
                                                 std::int64_t now) const override;
  void purge(std::int64_t now, std::int64_t forget_revoked_before) override;

 private:
  store::Database* db_;
};

}  // namespace blender_bus::auth
