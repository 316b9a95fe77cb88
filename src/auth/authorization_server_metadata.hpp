#pragma once

#include <string>
#include <string_view>

namespace blender_bus::auth {

inline constexpr std::string_view kAuthorizationServerMetadataPath =
    "/.well-known/oauth-authorization-server";
inline constexpr std::string_view kAuthorizePath = "/oauth/authorize";
inline constexpr std::string_view kTokenPath = "/oauth/token";
inline constexpr std::string_view kRegisterPath = "/oauth/register";
inline constexpr std::string_view kRevokePath = "/oauth/revoke";

// The scopes a client may ask for: the bus's two (`metrics` stays with
// personal access tokens and admins' logins).
inline constexpr std::string_view kOAuthScopes[] = {"read", "write"};

// `base_url` without trailing slashes: the issuer (RFC 8414 §2 forbids a
// trailing slash's ambiguity; the MCP client compares it exactly).
std::string issuer_of(std::string_view base_url);

// RFC 8414 metadata for GET /.well-known/oauth-authorization-server, the
// issuer being `base_url`: the four endpoints under /oauth/, S256 only, the
// code and refresh-token grants, public clients (auth method none), the
// `iss` authorization response parameter (RFC 9207) and scopes_supported.
// client_id_metadata_document_supported says whether an https client_id is
// fetched as a Client ID Metadata Document (client_metadata_document.hpp).
std::string authorization_server_metadata(std::string_view base_url,
                                          bool client_id_metadata_documents);

}  // namespace blender_bus::auth
