#pragma once

#include <string>
#include <vector>

#include "auth/principal.hpp"

namespace blender_bus::auth {

// A stored user, without the password hash. The username is the user id.
struct UserRecord {
  std::string username;
  std::vector<std::string> roles;
  std::vector<std::string> scopes;
  double created_at = 0;  // Unix seconds

  Principal principal() const { return {username, username, roles, scopes}; }
};

}  // namespace blender_bus::auth
