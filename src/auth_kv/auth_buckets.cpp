#include "auth_kv/auth_buckets.hpp"

namespace blender_bus::auth_kv {

std::vector<nats::KvSpec> auth_buckets(std::chrono::seconds refresh_lifetime) {
  nats::KvSpec auth;
  auth.bucket = kAuthBucket;
  nats::KvSpec tokens;
  tokens.bucket = kTokensBucket;
  // An hour more than a token lives: the expiry check refuses it first.
  tokens.ttl = refresh_lifetime + std::chrono::hours(1);
  nats::KvSpec personal_tokens;
  personal_tokens.bucket = kPersonalTokensBucket;
  nats::KvSpec oauth_clients;
  oauth_clients.bucket = kOAuthClientsBucket;
  nats::KvSpec oauth_grants;
  oauth_grants.bucket = kOAuthGrantsBucket;
  return {auth, tokens, personal_tokens, oauth_clients, oauth_grants};
}

}  // namespace blender_bus::auth_kv
