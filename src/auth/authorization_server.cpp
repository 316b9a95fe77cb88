#include "auth/authorization_server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "auth/authorization_server_metadata.hpp"
#include "auth/clock.hpp"
#include "auth/pkce.hpp"
#include "auth/random_text.hpp"
#include "auth/sha256.hpp"

namespace blender_bus::auth {

namespace {

OAuthError invalid_request(std::string description) {
  return {400, "invalid_request", std::move(description)};
}

OAuthError invalid_grant(std::string description) {
  return {400, "invalid_grant", std::move(description)};
}

OAuthError invalid_target() {
  return {400, "invalid_target", "resource must be this server's MCP endpoint"};
}

// "read write" → {"read", "write"}.
std::vector<std::string> split_scopes(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const std::size_t space = text.find(' ');
    if (space != 0) out.emplace_back(text.substr(0, space));
    if (space == std::string_view::npos) break;
    text.remove_prefix(space + 1);
  }
  return out;
}

}  // namespace

AuthorizationServer::AuthorizationServer(OAuthClientStore& clients, OAuthGrantStore& grants,
                                         UserStore& users, UserDirectory& directory,
                                         RevokedGrants& revoked, const TokenService& tokens,
                                         ClientMetadataResolver* client_metadata)
    : clients_(&clients),
      grants_(&grants),
      users_(&users),
      directory_(&directory),
      revoked_(&revoked),
      tokens_(&tokens),
      client_metadata_(client_metadata),
      issuer_(issuer_of(tokens.config().issuer)),
      resource_(issuer_ + "/mcp") {}

std::variant<OAuthClient, RegistrationError> AuthorizationServer::register_client(
    const boost::json::object& request) {
  auto read = read_client_registration(request);
  if (auto* error = std::get_if<RegistrationError>(&read)) return std::move(*error);
  OAuthClient client = std::move(std::get<OAuthClient>(read));
  client.client_id = random_hex(16);
  client.created_at = unix_seconds(tokens_->now());
  if (!clients_->add(client)) throw std::runtime_error("a random client id was taken");
  return client;
}

ClientLookup AuthorizationServer::lookup_client(std::string_view client_id) const {
  if (!is_client_id_url(client_id)) return {clients_->find(client_id), {}};
  if (client_metadata_ == nullptr) {
    return {std::nullopt, "This server does not accept client metadata documents."};
  }
  auto resolved = client_metadata_->resolve(std::string(client_id));
  if (auto* refusal = std::get_if<ClientMetadataRefusal>(&resolved)) {
    return {std::nullopt, refusal->reason};
  }
  return {std::move(std::get<OAuthClient>(resolved)), {}};
}

std::optional<std::string> AuthorizationServer::approve(const AuthorizationRequest& request,
                                                        std::string_view username) {
  const std::int64_t now = unix_seconds(tokens_->now());
  if (is_client_id_url(request.client_id)) {
    auto client = lookup_client(request.client_id).client;
    if (!client) return std::nullopt;
    client->created_at = now;
    clients_->put(*client);
  }
  // Each consent clears out what no longer works (rare enough to scan).
  grants_->purge(now, now - tokens_->config().access_lifetime.count() - 1);
  OAuthGrant grant{random_hex(16), request.client_id, std::string(username),
                   request.scopes, request.resource,  now};
  std::string code = random_hex(32);
  if (!grants_->add_grant(grant, sha256_hex(code), request.redirect_uri, request.code_challenge,
                          now + kCodeLifetime.count())) {
    return std::nullopt;
  }
  return code;
}

std::variant<OAuthTokens, OAuthError> AuthorizationServer::exchange(const TokenRequest& request) {
  if (request.grant_type.empty()) return invalid_request("grant_type required");
  if (request.grant_type != "authorization_code" && request.grant_type != "refresh_token") {
    return OAuthError{400, "unsupported_grant_type",
                      "grant_type must be authorization_code or refresh_token"};
  }
  if (request.client_id.empty()) return invalid_request("client_id required");
  if (!clients_->find(request.client_id)) {
    return OAuthError{401, "invalid_client", "unknown client_id"};
  }
  if (!request.resource.empty() && request.resource != resource_) return invalid_target();
  return request.grant_type == "authorization_code" ? exchange_code(request)
                                                    : exchange_refresh(request);
}

std::variant<OAuthTokens, OAuthError> AuthorizationServer::exchange_code(
    const TokenRequest& request) {
  if (request.code.empty()) return invalid_request("code required");
  if (request.redirect_uri.empty()) return invalid_request("redirect_uri required");
  if (request.code_verifier.empty()) return invalid_request("code_verifier required (PKCE)");
  auto redeemed = grants_->redeem_code(sha256_hex(request.code), unix_seconds(tokens_->now()));
  if (auto* reused = std::get_if<OAuthGrantStore::Reused>(&redeemed)) {
    spdlog::warn("oauth: a code of '{}' was presented twice: its grant is revoked",
                 reused->username);
    note_revocation();
    return invalid_grant("authorization code already used");
  }
  if (std::holds_alternative<OAuthGrantStore::Unknown>(redeemed)) {
    return invalid_grant("unknown or expired authorization code");
  }
  const OAuthCode& code = std::get<OAuthGrantStore::Redeemed>(redeemed).code;
  if (code.grant.client_id != request.client_id) {
    return invalid_grant("the code was issued to another client");
  }
  if (code.redirect_uri != request.redirect_uri) {
    return invalid_grant("redirect_uri differs from the authorization request's");
  }
  if (!pkce_verifier_matches(request.code_verifier, code.code_challenge)) {
    return invalid_grant("code_verifier does not match the code_challenge");
  }
  std::string refresh_token = random_hex(32);
  auto issued = issue(code.grant, refresh_token);
  if (std::holds_alternative<OAuthTokens>(issued)) {
    grants_->add_refresh(code.grant.grant_id, sha256_hex(refresh_token),
                         unix_seconds(tokens_->now()) + tokens_->config().refresh_lifetime.count());
  }
  return issued;
}

std::variant<OAuthTokens, OAuthError> AuthorizationServer::exchange_refresh(
    const TokenRequest& request) {
  if (request.refresh_token.empty()) return invalid_request("refresh_token required");
  std::string replacement = random_hex(32);
  const std::int64_t now = unix_seconds(tokens_->now());
  auto rotated = grants_->rotate_refresh(sha256_hex(request.refresh_token), request.client_id,
                                         sha256_hex(replacement),
                                         now + tokens_->config().refresh_lifetime.count(), now);
  if (auto* reused = std::get_if<OAuthGrantStore::Reused>(&rotated)) {
    spdlog::warn("oauth: a rotated refresh token of '{}' was used again: its grant is revoked",
                 reused->username);
    note_revocation();
    return invalid_grant("refresh token already used; the grant is revoked");
  }
  if (std::holds_alternative<OAuthGrantStore::Unknown>(rotated)) {
    return invalid_grant("unknown, expired or revoked refresh token");
  }
  const OAuthGrant& grant = std::get<OAuthGrantStore::Rotated>(rotated).grant;
  // A narrower scope may be asked for (RFC 6749 §6), never a wider one.
  OAuthGrant narrowed = grant;
  if (!request.scope.empty()) {
    narrowed.scopes = split_scopes(request.scope);
    for (const auto& scope : narrowed.scopes) {
      if (std::find(grant.scopes.begin(), grant.scopes.end(), scope) == grant.scopes.end()) {
        return OAuthError{400, "invalid_scope", "scope beyond what was granted: " + scope};
      }
    }
  }
  return issue(narrowed, std::move(replacement));
}

std::variant<OAuthTokens, OAuthError> AuthorizationServer::issue(const OAuthGrant& grant,
                                                                 std::string refresh_token) {
  const auto user = users_->find(grant.username);
  if (!user) return invalid_grant("the user no longer exists");
  directory_->observe(*user);  // news from another process is acted on first
  Principal principal = user->principal();
  // The grant's scopes, within what the user holds today.
  principal.scopes.clear();
  for (const auto& scope : grant.scopes) {
    if (std::find(user->scopes.begin(), user->scopes.end(), scope) != user->scopes.end()) {
      principal.scopes.push_back(scope);
    }
  }
  OAuthTokens out;
  out.access = tokens_->issue_access(principal, user->token_generation,
                                     {grant.resource, grant.client_id, grant.grant_id});
  out.refresh_token = std::move(refresh_token);
  out.scopes = principal.scopes;
  return out;
}

void AuthorizationServer::revoke(std::string_view token, std::string_view client_id) {
  const std::int64_t now = unix_seconds(tokens_->now());
  auto verified = tokens_->verify_access(token);
  if (auto* claims = std::get_if<AccessClaims>(&verified)) {
    if (claims->grant.grant_id.empty()) return;  // a login's token: logout revokes those
    if (!client_id.empty() && claims->grant.client_id != client_id) return;
    if (grants_->revoke_grant(claims->grant.grant_id, now)) note_revocation();
    return;
  }
  if (grants_->revoke_by_refresh(sha256_hex(token), client_id, now)) note_revocation();
}

std::vector<ConsentedClient> AuthorizationServer::consented_clients(
    std::string_view username) const {
  return grants_->consented_clients(username, unix_seconds(tokens_->now()));
}

int AuthorizationServer::revoke_client(std::string_view username, std::string_view client_id) {
  const int revoked_count =
      grants_->revoke_client(username, client_id, unix_seconds(tokens_->now()));
  if (revoked_count > 0) note_revocation();
  return revoked_count;
}

void AuthorizationServer::note_revocation() {
  revoked_->sync();  // refused from here on; the listeners end the user's sessions
}

}  // namespace blender_bus::auth
