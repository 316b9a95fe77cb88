#pragma once

#include <string>
#include <string_view>

namespace blender_bus::auth {

inline constexpr std::string_view kProtectedResourceMetadataPath =
    "/.well-known/oauth-protected-resource";

// RFC 9728 metadata for GET /.well-known/oauth-protected-resource (and
// …/mcp): {"resource":"<base>/mcp","authorization_servers":["<base>"],
// "bearer_methods_supported":["header"]}. `base_url` is the server's external
// origin, e.g. "http://127.0.0.1:8000" (a trailing slash is ignored); it is
// also the token issuer. An external OpenID Connect issuer (--oidc-issuer)
// comes first in authorization_servers, so that clients sign in there.
std::string protected_resource_metadata(std::string_view base_url,
                                        std::string_view external_issuer = {});

// The full WWW-Authenticate value for a 401:
// `Bearer resource_metadata="<base>/.well-known/oauth-protected-resource"`.
std::string www_authenticate_challenge(std::string_view base_url);

}  // namespace blender_bus::auth
