#pragma once

#include <optional>
#include <string_view>

#include "auth/oauth_client.hpp"

namespace blender_bus::auth {

// Where the authorization server's registered clients live, by id: the
// embedded store (SqliteOAuthClientStore) or a cluster's KV (auth_kv), so
// that a client registered on one node is known on every node.
// Implementations are thread-safe and throw their store's errors.
class OAuthClientStore {
 public:
  virtual ~OAuthClientStore() = default;

  // Stores a client; false when its id is taken.
  virtual bool add(const OAuthClient& client) = 0;
  // Stores a client or replaces the one with its id (a client metadata
  // document's latest copy, which its grants refer to).
  virtual void put(const OAuthClient& client) = 0;
  virtual std::optional<OAuthClient> find(std::string_view client_id) const = 0;
};

}  // namespace blender_bus::auth
