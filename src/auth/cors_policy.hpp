#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/http_exchange.hpp"

namespace blender_bus::auth {

// Cross-origin access (the Fetch standard's CORS) to what a browser-based
// MCP client reads and posts while it signs in: the two metadata documents
// (/.well-known/oauth-authorization-server, …/oauth-protected-resource) and
// /oauth/register, /oauth/token and /oauth/revoke. None of them reads a
// cookie, so a page elsewhere gains nothing it could not get with curl;
// credentials are never allowed (no Access-Control-Allow-Credentials).
// /oauth/authorize is left out: a browser navigates to it, and its forms
// rely on their cookie.
//
// Origins: {"*"} (the default) lets any page in; a list of origins
// ("https://app.example", scheme://host[:port]) lets only those in and
// echoes the one that matched, with Vary: Origin; an empty list lets none.
class CorsPolicy {
 public:
  explicit CorsPolicy(std::vector<std::string> origins = {"*"});

  // Empty when `origin` may be listed (`*`, or scheme://host[:port] without
  // a path), else why not; for the command line.
  static std::string origin_problem(std::string_view origin);

  // True for the paths above.
  static bool covers(std::string_view path);

  // For a covered path: the preflight's answer to OPTIONS (204 with the
  // methods and headers allowed, 403 for an origin not let in); nullopt for
  // another request.
  std::optional<HttpReply> preflight(const HttpRequestView& request) const;
  // Adds Access-Control-Allow-Origin to the answer to a covered path when
  // the request's Origin is let in.
  void decorate(const HttpRequestView& request, HttpReply& reply) const;

 private:
  // The value of Access-Control-Allow-Origin for `origin`; "" when refused.
  std::string allowed(std::string_view origin) const;

  std::vector<std::string> origins_;
  bool any_ = false;
};

}  // namespace blender_bus::auth
