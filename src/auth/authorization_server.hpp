#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "auth/client_metadata_resolver.hpp"
#include "auth/client_registration.hpp"
#include "auth/oauth_client_store.hpp"
#include "auth/oauth_grant_store.hpp"
#include "auth/revoked_grants.hpp"
#include "auth/token_service.hpp"
#include "auth/user_directory.hpp"
#include "auth/user_store.hpp"

namespace blender_bus::auth {

// An authorization request (OAuth 2.1 §4.1.1) that passed every check.
struct AuthorizationRequest {
  std::string client_id;
  std::string redirect_uri;
  std::string state;           // "" when the client sent none
  std::string code_challenge;  // S256
  std::vector<std::string> scopes;
  std::string resource;  // this server's <public-url>/mcp (RFC 8707)
};

// A client as the authorization endpoint finds it: registered, or read from
// its metadata document; `problem` says why a document was refused.
struct ClientLookup {
  std::optional<OAuthClient> client;
  std::string problem;
};

// An RFC 6749 §5.2 error from the token or revocation endpoint.
struct OAuthError {
  unsigned status;    // 400, or 401 for invalid_client
  std::string error;  // invalid_request | invalid_client | invalid_grant | invalid_scope | ...
  std::string description;
};

// A successful token response (RFC 6749 §5.1).
struct OAuthTokens {
  IssuedToken access;
  std::string refresh_token;
  std::vector<std::string> scopes;
};

// The token endpoint's form fields that matter.
struct TokenRequest {
  std::string grant_type;
  std::string client_id;
  std::string code;
  std::string redirect_uri;
  std::string code_verifier;
  std::string refresh_token;
  std::string resource;  // "" when absent
  std::string scope;     // "" when absent
};

// The built-in OAuth 2.1 authorization server without HTTP: registration,
// consent (a grant and its code), code exchange with PKCE, refresh rotation
// with reuse detection, revocation, and the user's consented clients.
//
// Codes live 60 s and work once; a code presented twice revokes its grant.
// Refresh tokens rotate on every use; a retired one presented again revokes
// the whole grant (RFC 9700 §4.14.2). Both are random (256 bits) and stored
// as SHA-256. Access tokens are the server's JWTs with aud (the resource),
// client_id and grant; the user's token generation applies to them as to a
// login's, and a revoked grant's are refused at once (RevokedGrants).
//
// Every call may block on the store: call it from a worker, never an I/O
// thread.
class AuthorizationServer {
 public:
  static constexpr std::chrono::seconds kCodeLifetime{60};

  // `client_metadata`: how clients named by a metadata document URL are
  // read; null when such clients are not accepted.
  AuthorizationServer(OAuthClientStore& clients, OAuthGrantStore& grants, UserStore& users,
                      UserDirectory& directory, RevokedGrants& revoked, const TokenService& tokens,
                      ClientMetadataResolver* client_metadata = nullptr);

  // The issuer (the public URL) and the one resource tokens are for.
  const std::string& issuer() const { return issuer_; }
  const std::string& resource() const { return resource_; }

  std::variant<OAuthClient, RegistrationError> register_client(const boost::json::object& request);
  // A registered client, or one whose id is a metadata document URL (fetched
  // or cached: it may block on the network).
  ClientLookup lookup_client(std::string_view client_id) const;
  std::optional<OAuthClient> find_client(std::string_view client_id) const {
    return lookup_client(client_id).client;
  }
  // True when clients may name themselves by a metadata document URL.
  bool accepts_client_metadata_documents() const { return client_metadata_ != nullptr; }

  // The user approved: records the grant (and a metadata document client's
  // copy, which the token endpoint then reads), returns the code; nullopt
  // when the client or the user is gone.
  std::optional<std::string> approve(const AuthorizationRequest& request,
                                     std::string_view username);

  std::variant<OAuthTokens, OAuthError> exchange(const TokenRequest& request);

  // RFC 7009: revokes the grant of a refresh token or of an access token
  // issued here (of `client_id`, when given); anything else is ignored.
  void revoke(std::string_view token, std::string_view client_id);

  std::vector<ConsentedClient> consented_clients(std::string_view username) const;
  // Revokes the user's grants to the client; how many.
  int revoke_client(std::string_view username, std::string_view client_id);

  std::chrono::seconds access_lifetime() const { return tokens_->config().access_lifetime; }
  std::chrono::system_clock::time_point now() const { return tokens_->now(); }

 private:
  std::variant<OAuthTokens, OAuthError> exchange_code(const TokenRequest& request);
  std::variant<OAuthTokens, OAuthError> exchange_refresh(const TokenRequest& request);
  // Access and refresh token for a live grant; an error when its user is gone.
  std::variant<OAuthTokens, OAuthError> issue(const OAuthGrant& grant, std::string refresh_token);
  // RevokedGrants re-reads the store: the grant's tokens are refused from
  // then on, and its listeners end the user's sessions.
  void note_revocation();

  OAuthClientStore* clients_;
  OAuthGrantStore* grants_;
  UserStore* users_;
  UserDirectory* directory_;
  RevokedGrants* revoked_;
  const TokenService* tokens_;
  ClientMetadataResolver* client_metadata_;
  std::string issuer_;
  std::string resource_;
};

}  // namespace blender_bus::auth
