#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "auth/authorization_server.hpp"
#include "auth/form_fields.hpp"
#include "auth/oauth_client.hpp"

namespace blender_bus::auth {

// A request the browser must not be redirected for: an unknown client, a
// redirect_uri that is missing or not registered (OAuth 2.1 §4.1.2.1). The
// user is shown a page saying so.
struct AuthorizationDeadEnd {
  std::string message;
};

// A request refused with a redirect to the client (RFC 6749 §4.1.2.1).
struct AuthorizationRefusal {
  std::string redirect_uri;
  std::string
      error;  // invalid_request | unsupported_response_type | invalid_scope | invalid_target
  std::string description;
  std::string state;
};

// Checks an authorization request's parameters against the client they name
// (nullopt: not registered), in the order RFC 6749 §4.1.2.1 asks: client and
// redirect first (a dead end), then response_type=code, code_challenge with
// method S256, scope (within kOAuthScopes; the default is all of them) and
// resource (absent, or exactly `resource`), each refused by redirect.
using AuthorizationCheck =
    std::variant<AuthorizationRequest, AuthorizationDeadEnd, AuthorizationRefusal>;
AuthorizationCheck check_authorization_request(const FormFields& fields,
                                               const std::optional<OAuthClient>& client,
                                               std::string_view resource);

// The redirect that answers a request: `redirect_uri` with the parameters
// added to its query, `iss` always (RFC 9207), `state` when not empty.
std::string authorization_redirect(std::string_view redirect_uri,
                                   const std::vector<std::pair<std::string, std::string>>& params,
                                   std::string_view state, std::string_view issuer);

}  // namespace blender_bus::auth
