#pragma once

#include <optional>
#include <string_view>

#include "auth/oauth_client_store.hpp"
#include "store/database.hpp"

namespace blender_bus::auth {

// OAuthClientStore in the oauth_clients table (auth_schema.hpp), for a
// single node and for `blender-bus oauth` on its data directory.
class SqliteOAuthClientStore final : public OAuthClientStore {
 public:
  explicit SqliteOAuthClientStore(store::Database& db);

  bool add(const OAuthClient& client) override;
  void put(const OAuthClient& client) override;
  std::optional<OAuthClient> find(std::string_view client_id) const override;

 private:
  store::Database* db_;
};

}  // namespace blender_bus::auth
