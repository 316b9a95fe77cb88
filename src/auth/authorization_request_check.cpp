#include "auth/authorization_request_check.hpp"

#include <algorithm>
#include <boost/url/url.hpp>

#include "auth/authorization_server_metadata.hpp"
#include "auth/pkce.hpp"
#include "auth/redirect_uri.hpp"

namespace blender_bus::auth {

AuthorizationCheck check_authorization_request(const FormFields& fields,
                                               const std::optional<OAuthClient>& client,
                                               std::string_view resource) {
  if (field(fields, "client_id").empty()) {
    return AuthorizationDeadEnd{"The application did not say who it is (no client_id)."};
  }
  if (!client) {
    return AuthorizationDeadEnd{
        "This application is not registered here (unknown client_id). Start again from the "
        "application."};
  }
  std::string redirect_uri(field(fields, "redirect_uri"));
  if (redirect_uri.empty()) {
    if (client->redirect_uris.size() != 1) {
      return AuthorizationDeadEnd{"The application did not say where to return (no redirect_uri)."};
    }
    redirect_uri = client->redirect_uris.front();
  }
  if (!redirect_uri_matches(client->redirect_uris, redirect_uri)) {
    return AuthorizationDeadEnd{
        "The address this request would return to is not one the application registered, so "
        "it is not followed."};
  }
  const std::string state(field(fields, "state"));
  auto refuse = [&](std::string error, std::string description) {
    return AuthorizationRefusal{redirect_uri, std::move(error), std::move(description), state};
  };
  if (field(fields, "response_type") != "code") {
    return refuse("unsupported_response_type", "response_type must be code");
  }
  const std::string_view challenge = field(fields, "code_challenge");
  if (challenge.empty()) return refuse("invalid_request", "code_challenge required (PKCE)");
  if (field(fields, "code_challenge_method") != "S256") {
    return refuse("invalid_request", "code_challenge_method must be S256");
  }
  if (!is_s256_challenge(challenge)) {
    return refuse("invalid_request", "code_challenge must be 43 base64url characters");
  }
  const std::string_view wanted_resource = field(fields, "resource");
  if (!wanted_resource.empty() && wanted_resource != resource) {
    return refuse("invalid_target", "resource must be this server's MCP endpoint");
  }
  AuthorizationRequest request{client->client_id,      redirect_uri, state,
                               std::string(challenge), {},           std::string(resource)};
  std::string_view scope = field(fields, "scope");
  while (!scope.empty()) {
    const std::size_t space = scope.find(' ');
    const std::string_view one = scope.substr(0, space);
    if (!one.empty()) {
      if (std::find(std::begin(kOAuthScopes), std::end(kOAuthScopes), one) ==
          std::end(kOAuthScopes)) {
        return refuse("invalid_scope", "unknown scope: " + std::string(one));
      }
      if (std::find(request.scopes.begin(), request.scopes.end(), one) == request.scopes.end()) {
        request.scopes.emplace_back(one);
      }
    }
    if (space == std::string_view::npos) break;
    scope.remove_prefix(space + 1);
  }
  if (request.scopes.empty())
    request.scopes.assign(std::begin(kOAuthScopes), std::end(kOAuthScopes));
  return request;
}

std::string authorization_redirect(std::string_view redirect_uri,
                                   const std::vector<std::pair<std::string, std::string>>& params,
                                   std::string_view state, std::string_view issuer) {
  boost::urls::url url(redirect_uri);
  for (const auto& [name, value] : params) url.params().append({name, value});
  if (!state.empty()) url.params().append({"state", state});
  url.params().append({"iss", issuer});
  return std::string(url.buffer());
}

}  // namespace blender_bus::auth
