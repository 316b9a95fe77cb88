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

// The buckets (replicas are the cluster's).
std::vector<nats::KvSpec> auth_buckets(std::chrono::seconds refresh_lifetime);

}  // namespace blender_bus::auth_kv
