#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "auth/oauth_client.hpp"

namespace blender_bus::auth {

// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document,
// adopted by the MCP authorization spec of 2025-11-25): a client_id that is
// an https URL names a JSON document, at that URL, holding the client's
// metadata (RFC 7591 fields). No registration happens: the authorization
// server fetches the document when it meets the client.

// True when `client_id` is meant as a document URL (it starts with https://
// or http://); such ids never collide with registered ones (hex).
bool is_client_id_url(std::string_view client_id);

// Empty when `url` is an acceptable document URL (the draft's §3): https,
// a path beyond "/", no "." or ".." segment, no fragment, no user or
// password, no query; at most 2,048 characters. With `allow_http`, http is
// accepted too (a test's document server on loopback). Else why not.
std::string client_id_url_problem(std::string_view url, bool allow_http);

// Why a document was refused, for the error page and the log.
struct ClientMetadataRefusal {
  std::string reason;
};

// Reads a fetched document for `client_id` (the draft's §4): a JSON object
// whose client_id equals the URL exactly; no client_secret or
// client_secret_expires_at; token_endpoint_auth_method absent or "none"
// (this server takes public clients only); the rest as a registration
// request (read_client_registration: redirect_uris, application_type,
// grant_types, response_types, client_name).
std::variant<OAuthClient, ClientMetadataRefusal> read_client_metadata_document(
    std::string_view client_id, std::string_view body);

}  // namespace blender_bus::auth
