#pragma once

#include <string_view>
#include <variant>

#include "auth/http_exchange.hpp"
#include "auth/principal.hpp"
#include "auth/request_authenticator.hpp"

namespace blender_bus::auth {

// The principal a route's bearer token names, or the answer that refuses
// it: 401 with the authenticator's detail (the transport adds
// WWW-Authenticate), as /mcp answers.
std::variant<Principal, HttpReply> authorize(const RequestAuthenticator& authenticator,
                                             std::string_view authorization);

// The same, then 403 {"detail": refusal} when `allowed` says no.
std::variant<Principal, HttpReply> authorize(const RequestAuthenticator& authenticator,
                                             std::string_view authorization,
                                             bool (*allowed)(const Principal&),
                                             std::string_view refusal);

}  // namespace blender_bus::auth
