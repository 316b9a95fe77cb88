#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "transport/http_types.hpp"

namespace blender_bus::transport {

// Cross-origin access (the Fetch standard's CORS) to /mcp for a browser-based
// MCP client on another origin: only the origins --allow-origin names (or
// any, for `*`), which the DNS-rebinding guard (OriginGuard) lets in too, so
// the two lists never drift. Without --allow-origin no origin gets CORS:
// the default stays what the MCP transport's security section asks, and a
// page elsewhere reads nothing. Credentials are never allowed: /mcp reads a
// bearer token, no cookie, so a page can only send a token it already holds.
//
// A preflight (OPTIONS with Access-Control-Request-Method) from such an
// origin is answered 204 with the methods (GET, POST, DELETE) and the
// request's headers (header names only; the token itself is checked on the
// request that follows); every answer to that origin carries
// Access-Control-Allow-Origin and exposes Mcp-Session-Id, MCP-Protocol-Version
// and WWW-Authenticate (the 401's pointer to the OAuth metadata).
class McpCors {
 public:
  explicit McpCors(const std::vector<std::string>& allowed_origins);

  // The 204 for a preflight from an allowed origin; nullopt for any other
  // request (the guard and the method check then judge it as before).
  std::optional<HttpResponse> preflight(const HttpRequest& header) const;
  // The fields every answer to `header` carries: none unless its Origin is
  // allowed.
  ResponseFields response_fields(const HttpRequest& header) const;

 private:
  bool allows(std::string_view origin) const;

  std::set<std::string, std::less<>> origins_;  // lowercase, no trailing '/'
  bool any_ = false;
};

}  // namespace blender_bus::transport
