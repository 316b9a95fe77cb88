#include "auth/protected_resource_metadata.hpp"

#include <boost/json.hpp>

namespace blender_bus::auth {

namespace {
std::string_view without_trailing_slash(std::string_view base) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  return base;
}
}  // namespace

std::string protected_resource_metadata(std::string_view base_url,
                                        std::string_view external_issuer) {
  const std::string base(without_trailing_slash(base_url));
  boost::json::object metadata;
  metadata["resource"] = base + "/mcp";
  boost::json::array servers;
  if (!external_issuer.empty()) servers.emplace_back(external_issuer);
  servers.emplace_back(base);
  metadata["authorization_servers"] = std::move(servers);
  metadata["bearer_methods_supported"] = boost::json::array{"header"};
  return boost::json::serialize(metadata);
}

std::string www_authenticate_challenge(std::string_view base_url) {
  return "Bearer resource_metadata=\"" + std::string(without_trailing_slash(base_url)) +
         std::string(kProtectedResourceMetadataPath) + "\"";
}

}  // namespace blender_bus::auth
