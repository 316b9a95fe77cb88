#pragma once

#include "store/database.hpp"

namespace blender_bus::auth {

// Creates or upgrades the auth tables (component "auth" of the store):
//   users(username PK, password_hash, roles JSON, scopes JSON, created_at)
//   refresh_tokens(jti PK, token_hash, username → users ON DELETE CASCADE,
//                  expires_at, revoked_at)
//   token_generations(username PK, generation): bumped by logout, a new
//                  password and deletion; absent is 0 (user_store.hpp)
//   personal_tokens(token_hash PK, username, name,
//                  scopes JSON, created_at, expires_at, last_used_at;
//                  UNIQUE(username, name)) (personal_token_store.hpp)
// Idempotent; every auth store calls it on construction.
void migrate_auth_schema(store::Database& db);

}  // namespace blender_bus::auth
