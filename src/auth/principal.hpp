#pragma once

#include <string>
#include <vector>

namespace blender_bus::auth {

// The user a request acts as. `user_id` keys everything (buses, sessions, jobs).
struct Principal {
  std::string user_id;
  std::string username;
  std::vector<std::string> roles;
  std::vector<std::string> scopes;
};

}  // namespace blender_bus::auth
