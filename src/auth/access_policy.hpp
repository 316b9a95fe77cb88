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

// GET /metrics: admins (later also a token with the `metrics` scope).
inline bool may_read_metrics(const Principal& principal) {
  return has_role(principal, "admin");
}

// The dashboard shows every user's bus, not only the caller's, and acts on them.
inline bool may_see_every_bus(const Principal& principal) {
  return has_role(principal, "admin");
}

}  // namespace blender_bus::auth
