#include "auth/cors_policy.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "auth/authorization_server_metadata.hpp"
#include "auth/protected_resource_metadata.hpp"

namespace blender_bus::auth {

namespace {

bool metadata_path(std::string_view path) {
  return path == kAuthorizationServerMetadataPath ||
         (path.starts_with(kProtectedResourceMetadataPath) &&
          (path.size() == kProtectedResourceMetadataPath.size() ||
           path.substr(kProtectedResourceMetadataPath.size()) == "/mcp"));
}

}  // namespace

CorsPolicy::CorsPolicy(std::vector<std::string> origins) : origins_(std::move(origins)) {
  any_ = std::find(origins_.begin(), origins_.end(), "*") != origins_.end();
}

std::string CorsPolicy::origin_problem(std::string_view origin) {
  if (origin == "*") return {};
  auto parsed = boost::urls::parse_absolute_uri(origin);
  if (!parsed || (parsed->scheme() != "https" && parsed->scheme() != "http") ||
      parsed->host().empty() || parsed->has_userinfo() || !parsed->encoded_path().empty() ||
      parsed->has_query() || parsed->has_fragment()) {
    return "an origin is scheme://host[:port] with no path, or *: " +
           std::string(origin.substr(0, 200));
  }
  return {};
}

bool CorsPolicy::covers(std::string_view path) {
  return metadata_path(path) || path == kRegisterPath || path == kTokenPath || path == kRevokePath;
}

std::string CorsPolicy::allowed(std::string_view origin) const {
  if (origin.empty()) return {};
  if (any_) return "*";
  if (std::find(origins_.begin(), origins_.end(), origin) != origins_.end()) {
    return std::string(origin);
  }
  return {};
}

std::optional<HttpReply> CorsPolicy::preflight(const HttpRequestView& request) const {
  if (request.method != "OPTIONS" || !covers(request.path)) return std::nullopt;
  const std::string allow = allowed(request.origin);
  if (allow.empty()) {
    return HttpReply{403,
                     boost::json::serialize(boost::json::object{
                         {"detail", "this origin may not call the authorization server"}}),
                     {{"Vary", "Origin"}}};
  }
  HttpReply reply{204, "", {}};
  reply.headers = {
      {"Access-Control-Allow-Origin", allow},
      {"Access-Control-Allow-Methods", metadata_path(request.path) ? "GET" : "POST"},
      // The MCP SDKs send MCP-Protocol-Version on discovery requests.
      {"Access-Control-Allow-Headers", "Authorization, Content-Type, MCP-Protocol-Version"},
      {"Access-Control-Max-Age", "600"},
  };
  if (!any_) reply.headers.emplace_back("Vary", "Origin");
  return reply;
}

void CorsPolicy::decorate(const HttpRequestView& request, HttpReply& reply) const {
  if (!covers(request.path)) return;
  if (!any_) reply.headers.emplace_back("Vary", "Origin");
  const std::string allow = allowed(request.origin);
  if (!allow.empty()) reply.headers.emplace_back("Access-Control-Allow-Origin", allow);
}

}  // namespace blender_bus::auth
