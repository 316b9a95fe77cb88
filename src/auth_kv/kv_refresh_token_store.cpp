#include "auth_kv/kv_refresh_token_store.hpp"

#include <boost/json.hpp>

#include "auth/clock.hpp"
#include "auth/sha256.hpp"
#include "auth_kv/auth_buckets.hpp"
#include "cluster/blocking_call.hpp"
#include "nats/subject_token.hpp"

namespace blender_bus::auth_kv {

namespace json = boost::json;

namespace {

std::string token_key(std::string_view jti) {
  return nats::encode_subject_token(jti);
}

}  // namespace

KvRefreshTokenStore::KvRefreshTokenStore(cluster::Cluster& cluster, KvUserStore& users)
    : users_(users), bucket_(cluster.bucket(kTokensBucket)) {}

void KvRefreshTokenStore::add(const auth::IssuedToken& token, std::string_view username,
                              time_point) {
  const std::string value = json::serialize(json::object{
      {"user", username},
      {"token_hash", auth::sha256_hex(token.token)},
      {"expires_at", auth::unix_seconds(token.expires_at)},
      {"generation", users_.generations(username).refresh},
  });
  cluster::blocking_call(bucket_.put(token_key(token.jti), value));
}

std::optional<KvRefreshTokenStore::Stored> KvRefreshTokenStore::usable(std::string_view jti,
                                                                       std::string_view token,
                                                                       time_point now) const {
  const auto entry = bucket_.get_now(token_key(jti));
  if (!entry) return std::nullopt;
  boost::system::error_code ec;
  const json::value value = json::parse(entry->value, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const json::object& object = value.as_object();
  const auto* user = object.if_contains("user");
  const auto* hash = object.if_contains("token_hash");
  const auto* expires = object.if_contains("expires_at");
  const auto* generation = object.if_contains("generation");
  if (!user || !user->is_string() || !hash || !hash->is_string() || !expires ||
      !expires->is_number() || !generation || !generation->is_number()) {
    return std::nullopt;
  }
  if (hash->as_string() != auth::sha256_hex(token)) return std::nullopt;
  if (expires->to_number<std::int64_t>() <= auth::unix_seconds(now)) return std::nullopt;
  const std::string username(user->as_string());
  if (!users_.find(username)) return std::nullopt;
  if (generation->to_number<std::uint64_t>() != users_.generations(username).refresh) {
    return std::nullopt;
  }
  return Stored{username, entry->revision};
}

bool KvRefreshTokenStore::rotate(std::string_view jti, std::string_view token,
                                 std::string_view username, const auth::IssuedToken& replacement,
                                 time_point now) {
  const auto stored = usable(jti, token, now);
  if (!stored || stored->user != username) return false;
  const nats::KvWrite write =
      cluster::blocking_call(bucket_.erase(token_key(jti), stored->revision));
  if (!std::holds_alternative<nats::KvWritten>(write)) return false;  // the other use won
  add(replacement, username, now);
  return true;
}

bool KvRefreshTokenStore::is_usable(std::string_view jti, std::string_view token,
                                    time_point now) const {
  return usable(jti, token, now).has_value();
}

void KvRefreshTokenStore::revoke_all(std::string_view username, time_point) {
  users_.revoke_refresh_tokens(username);
}

}  // namespace blender_bus::auth_kv
