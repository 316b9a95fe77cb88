#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace blender_bus::auth {

// One consent: a user let a client act for them on a resource with these
// scopes. Its codes and refresh tokens form one family, revoked together.
struct OAuthGrant {
  std::string grant_id;
  std::string client_id;
  std::string username;
  std::vector<std::string> scopes;
  std::string resource;  // the RFC 8707 audience: <public-url>/mcp
  std::int64_t created_at = 0;
};

// What an authorization code was issued against.
struct OAuthCode {
  OAuthGrant grant;
  std::string redirect_uri;
  std::string code_challenge;  // BASE64URL(SHA-256(verifier))
};

// A client the user consented to, as `oauth clients` lists it.
struct ConsentedClient {
  std::string client_id;
  std::string client_name;
  std::vector<std::string> scopes;  // of the latest grant
  std::int64_t since = 0;           // the earliest live grant, Unix seconds
  std::size_t grants = 0;
};

}  // namespace blender_bus::auth
