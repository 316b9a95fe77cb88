#include "auth/local_authenticator.hpp"

#include "auth/default_grants.hpp"

namespace blender_bus::auth {

AuthOutcome LocalAuthenticator::authenticate(std::string_view /*authorization*/) const {
  Grants grants = admin_grants();
  return Principal{kUserId, kUserId, std::move(grants.roles), std::move(grants.scopes),
                   Credential::local};
}

}  // namespace blender_bus::auth
