#pragma once

#include <cstdint>
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
  // Access tokens carry the generation they were issued under; one of an
  // older generation is refused (UserDirectory). Never decreases for a name.
  std::uint64_t token_generation = 0;

  Principal principal() const { return {username, username, roles, scopes}; }
};

}  // namespace blender_bus::auth
