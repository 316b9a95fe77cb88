#pragma once

#include <string>
#include <vector>

namespace blender_bus::auth {

// Roles and scopes a user is given when none are named. The bus does not
// check them yet; they travel in tokens for clients and later policies.
struct Grants {
  std::vector<std::string> roles;
  std::vector<std::string> scopes;
};

inline Grants admin_grants() {
  return {{"admin", "user"}, {"read", "write", "admin"}};
}
inline Grants user_grants() {
  return {{"user"}, {"read", "write"}};
}

}  // namespace blender_bus::auth
