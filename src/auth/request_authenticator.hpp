#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "auth/principal.hpp"

namespace blender_bus::auth {

// Why a request was refused. The transport answers 401 with body
// {"detail": detail} and `WWW-Authenticate: Bearer resource_metadata="…"`.
struct AuthFailure {
  std::string detail;
};

using AuthOutcome = std::variant<Principal, AuthFailure>;

// The one place a request's user is resolved (the seam between transport and
// auth). Implementations: bearer JWT (default) and the local development user
// of `--auth none`.
class RequestAuthenticator {
 public:
  virtual ~RequestAuthenticator() = default;
  // `authorization` is the raw Authorization header value ("" when absent).
  virtual AuthOutcome authenticate(std::string_view authorization) const = 0;
};

}  // namespace blender_bus::auth
