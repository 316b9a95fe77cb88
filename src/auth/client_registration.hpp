#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <variant>

#include "auth/oauth_client.hpp"

namespace blender_bus::auth {

// Why a registration was refused (RFC 7591 §3.2.2).
struct RegistrationError {
  std::string error;  // "invalid_redirect_uri" | "invalid_client_metadata"
  std::string description;
};

// Reads a dynamic client registration request (RFC 7591 §2) for a public
// client into the client to store, without its id and time:
// - redirect_uris: 1 to 10, each acceptable (redirect_uri_problem);
// - token_endpoint_auth_method: absent or "none" (public clients only);
// - grant_types ⊆ {authorization_code, refresh_token} with the first;
//   response_types ⊆ {code};
// - application_type "native" or "web" (OpenID Connect Registration §2; MCP
//   2026-07-28 requires clients to send it); when absent, "native" if every
//   redirect is loopback or a private-use scheme, else "web". A web client
//   may only redirect to https;
// - client_name: at most 100 characters, shown on the consent screen.
std::variant<OAuthClient, RegistrationError> read_client_registration(
    const boost::json::object& request);

// The registration response (RFC 7591 §3.2.1) for a stored client.
boost::json::object client_registration_response(const OAuthClient& client);

}  // namespace blender_bus::auth
