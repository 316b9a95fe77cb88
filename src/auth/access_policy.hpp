#pragma once

#include <algorithm>
#include <string_view>

#include "auth/principal.hpp"

namespace blender_bus::auth {

// What a principal may do beyond its own bus. Each privilege is one
// function, so that another way to hold it (a personal access token's scope,
// e.g. `metrics`) is added here and nowhere else.

inline bool has_role(const Principal& principal, std::string_view role) {
  return std::find(principal.roles.begin(), principal.roles.end(), role) != principal.roles.end();
}

inline bool has_scope(const Principal& principal, std::string_view scope) {
  return std::find(principal.scopes.begin(), principal.scopes.end(), scope) !=
         principal.scopes.end();
}

// A personal access token does only what its scopes name; a login's token
// does what its user's roles allow.
inline bool uses_personal_token(const Principal& principal) {
  return principal.credential == Credential::personal_token;
}

// A credential handed to a program (a personal access token, or a token an
// OAuth client obtained) does only what its scopes name.
inline bool uses_scoped_credential(const Principal& principal) {
  return uses_personal_token(principal) || principal.credential == Credential::oauth_token;
}

// GET /metrics: a personal access token with the `metrics` scope (a
// scraper's credential), or an admin's login.
inline bool may_read_metrics(const Principal& principal) {
  if (uses_scoped_credential(principal)) return has_scope(principal, "metrics");
  return has_role(principal, "admin");
}

// /mcp, the dashboard and /auth/profile: a personal access token needs
// `read` or `write`, so that a `metrics`-only token cannot drive Blender.
inline bool may_use_bus(const Principal& principal) {
  return !uses_scoped_credential(principal) || has_scope(principal, "read") ||
         has_scope(principal, "write");
}

// Creating and revoking personal access tokens takes a login, so that a
// leaked token (or an assistant's OAuth token) cannot mint lasting ones.
inline bool may_manage_tokens(const Principal& principal) {
  return !uses_scoped_credential(principal);
}

// The dashboard shows every user's bus, not only the caller's, and acts on them.
inline bool may_see_every_bus(const Principal& principal) {
  return has_role(principal, "admin");
}

}  // namespace blender_bus::auth
