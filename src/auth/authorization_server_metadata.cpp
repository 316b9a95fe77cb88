#include "auth/authorization_server_metadata.hpp"

#include <boost/json.hpp>

namespace blender_bus::auth {

std::string issuer_of(std::string_view base_url) {
  while (!base_url.empty() && base_url.back() == '/') base_url.remove_suffix(1);
  return std::string(base_url);
}

std::string authorization_server_metadata(std::string_view base_url,
                                          bool client_id_metadata_documents) {
  const std::string issuer = issuer_of(base_url);
  boost::json::array scopes;
  for (std::string_view scope : kOAuthScopes) scopes.emplace_back(scope);
  boost::json::object metadata{
      {"issuer", issuer},
      {"authorization_endpoint", issuer + std::string(kAuthorizePath)},
      {"token_endpoint", issuer + std::string(kTokenPath)},
      {"registration_endpoint", issuer + std::string(kRegisterPath)},
      {"revocation_endpoint", issuer + std::string(kRevokePath)},
      {"response_types_supported", boost::json::array{"code"}},
      {"response_modes_supported", boost::json::array{"query"}},
      {"grant_types_supported", boost::json::array{"authorization_code", "refresh_token"}},
      {"code_challenge_methods_supported", boost::json::array{"S256"}},
      {"token_endpoint_auth_methods_supported", boost::json::array{"none"}},
      {"revocation_endpoint_auth_methods_supported", boost::json::array{"none"}},
      {"client_id_metadata_document_supported", client_id_metadata_documents},
      {"authorization_response_iss_parameter_supported", true},
      {"scopes_supported", std::move(scopes)},
  };
  return boost::json::serialize(metadata);
}

}  // namespace blender_bus::auth
