#pragma once

#include "auth/request_authenticator.hpp"

namespace blender_bus::auth {

// `--auth none`: every request acts as the one development user `local`,
// whatever it sends. Only for a server bound to loopback.
class LocalAuthenticator : public RequestAuthenticator {
 public:
  static constexpr const char* kUserId = "local";

  AuthOutcome authenticate(std::string_view authorization) const override;
};

}  // namespace blender_bus::auth
