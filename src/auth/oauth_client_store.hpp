#pragma once

#include <optional>
#include <string_view>

#include "auth/oauth_client.hpp"
#include "store/database.hpp"

namespace blender_bus::auth {

// The oauth_clients table (auth_schema.hpp): registered clients by id.
// Thread-safe.
class OAuthClientStore {
 public:
  explicit OAuthClientStore(store::Database& db);

  // Stores a client; false when its id is taken.
  bool add(const OAuthClient& client);
  // Stores a client or replaces the one with its id (a client metadata
  // document's latest copy, which its grants refer to).
  void put(const OAuthClient& client);
  std::optional<OAuthClient> find(std::string_view client_id) const;

 private:
  store::Database* db_;
};

}  // namespace blender_bus::auth
