#pragma once

#include <chrono>
#include <vector>

#include "nats/kv_spec.hpp"

namespace blender_bus::auth_kv {

// Users, their token generations and the signing secret:
//   user.<name>        {"password_hash","roles","scopes","created_at"}
//   generation.<name>  {"access":N,"refresh":M}; outlives the user, so a
//                      namesake never inherits a deleted user's tokens
//   secret.signing     the HS256 secret (64 hex digits), made by the first node
// (<name> is the username's subject token, nats::encode_subject_token.)
inline constexpr const char* kAuthBucket = "BUS_AUTH";
// Refresh tokens by jti: {"user","token_hash","expires_at","generation"}.
// Its TTL is the refresh-token lifetime, so expired tokens go by themselves.
inline constexpr const char* kTokensBucket = "BUS_TOKENS";

// Personal access tokens (KvPersonalTokenStore):
//   token.<sha256 hex>      {"user","name","scopes","created_at","expires_at","last_used_at"}
//   name.<user>.<name>      the token's sha256 hex: one token of a name per user
// (expires_at and last_used_at null when never; <user> and <name> are
// subject tokens.) No TTL: a token may never expire; expired ones are
// deleted by the nodes' syncs.
inline constexpr const char* kPersonalTokensBucket = "BUS_PATS";

// The OAuth authorization server's registered clients (KvOAuthClientStore):
//   client.<sha256 hex of the client id>
//       {"client_id","client_name","redirect_uris","application_type","created_at"}
inline constexpr const char* kOAuthClientsBucket = "BUS_OAUTH_CLIENTS";
// Its grants and their codes and refresh tokens (KvOAuthGrantStore):
//   grant.<grant id>     {"client_id","user","user_since","scopes","resource",
//                         "created_at","revoked_at"}
//   code.<sha256 hex>    {"grant_id","redirect_uri","code_challenge","expires_at","used_at"}
//   refresh.<sha256 hex> {"grant_id","expires_at","rotated_at"}
// (user_since is the user's created_at at consent; revoked_at, used_at and
// rotated_at are null until then.) No TTL: a grant lives as long as its
// refresh tokens keep rotating; what expired is deleted by the consents'
// purges.
inline constexpr const char* kOAuthGrantsBucket = "BUS_OAUTH_GRANTS";

// The buckets (replicas are the cluster's).
std::vector<nats::KvSpec> auth_buckets(std::chrono::seconds refresh_lifetime);

}  // namespace blender_bus::auth_kv
