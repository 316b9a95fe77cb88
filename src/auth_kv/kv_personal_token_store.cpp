#include "auth_kv/kv_personal_token_store.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "auth_kv/auth_buckets.hpp"
#include "auth_kv/loaded_mirror.hpp"
#include "cluster/blocking_call.hpp"
#include "nats/subject_token.hpp"

namespace blender_bus::auth_kv {

namespace json = boost::json;

namespace {

constexpr std::string_view kTokenPrefix = "token.";

std::string token_key(std::string_view token_hash) {
  return std::string(kTokenPrefix) + nats::encode_subject_token(token_hash);
}

std::string name_key(std::string_view username, std::string_view name) {
  return "name." + nats::encode_subject_token(username) + "." + nats::encode_subject_token(name);
}

json::value optional_number(const std::optional<std::int64_t>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

std::string record_text(const auth::PersonalTokenRecord& record) {
  json::array scopes;
  for (const auto& scope : record.scopes) scopes.emplace_back(scope);
  return json::serialize(json::object{{"user", record.username},
                                      {"name", record.name},
                                      {"scopes", std::move(scopes)},
                                      {"created_at", record.created_at},
                                      {"expires_at", optional_number(record.expires_at)},
                                      {"last_used_at", optional_number(record.last_used_at)}});
}

std::optional<std::int64_t> number_or_null(const json::object& object, std::string_view field) {
  const json::value* v = object.if_contains(field);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  return v->to_number<std::int64_t>();
}

// The record in a token key's value; nullopt for a value no node writes.
std::optional<auth::PersonalTokenRecord> read_record(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const json::object& o = value.as_object();
  const json::value* user = o.if_contains("user");
  const json::value* name = o.if_contains("name");
  const json::value* scopes = o.if_contains("scopes");
  const auto created = number_or_null(o, "created_at");
  if (!user || !user->is_string() || !name || !name->is_string() || !scopes ||
      !scopes->is_array() || !created) {
    return std::nullopt;
  }
  auth::PersonalTokenRecord record;
  record.username = user->as_string();
  record.name = name->as_string();
  for (const auto& scope : scopes->as_array()) {
    if (scope.is_string()) record.scopes.emplace_back(scope.as_string());
  }
  record.created_at = *created;
  record.expires_at = number_or_null(o, "expires_at");
  record.last_used_at = number_or_null(o, "last_used_at");
  return record;
}

}  // namespace

KvPersonalTokenStore::KvPersonalTokenStore(cluster::Cluster& cluster)
    : bucket_(cluster.bucket(kPersonalTokensBucket)) {
  nats::KvMirror::Callbacks callbacks;
  callbacks.on_change = [this](const nats::KvEntry& entry) { note(entry); };
  mirror_ = load_mirror(cluster, kPersonalTokensBucket, std::move(callbacks),
                        "the personal access tokens");
}

KvPersonalTokenStore::~KvPersonalTokenStore() {
  mirror_.reset();
}

void KvPersonalTokenStore::note(const nats::KvEntry& entry) {
  progress_.applied(entry.revision);
  if (!entry.key.starts_with(kTokenPrefix)) return;
  listener_.notify();
}

void KvPersonalTokenStore::on_change(std::function<void()> listener) {
  listener_.set(std::move(listener));
}

std::vector<KvPersonalTokenStore::Stored> KvPersonalTokenStore::stored() const {
  std::vector<Stored> out;
  for (const nats::KvEntry& entry : mirror_->entries()) {
    if (!entry.key.starts_with(kTokenPrefix) || entry.operation != nats::KvEntry::Operation::put) {
      continue;
    }
    auto record = read_record(entry.value);
    if (!record) continue;
    std::string hash = nats::decode_subject_token(entry.key.substr(kTokenPrefix.size()));
    out.push_back({{std::move(hash), std::move(*record), {}}, entry.revision});
  }
  return out;
}

bool KvPersonalTokenStore::add(std::string_view token_hash,
                               const auth::PersonalTokenRecord& record) {
  const std::string claimed = name_key(record.username, record.name);
  const nats::KvWrite claim =
      cluster::blocking_call(bucket_.create(claimed, std::string(token_hash)));
  if (!std::holds_alternative<nats::KvWritten>(claim)) return false;
  auth::PersonalTokenRecord fresh = record;
  fresh.last_used_at.reset();
  const std::uint64_t revision =
      cluster::blocking_call(bucket_.put(token_key(token_hash), record_text(fresh)));
  progress_.await(revision);
  return true;
}

std::vector<auth::PersonalTokenRecord> KvPersonalTokenStore::list(std::string_view username) const {
  std::vector<auth::PersonalTokenRecord> out;
  for (Stored& token : stored()) {
    if (token.grant.record.username == username) out.push_back(std::move(token.grant.record));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::vector<auth::PersonalTokenGrant> KvPersonalTokenStore::grants(std::int64_t now) {
  std::vector<auth::PersonalTokenGrant> out;
  for (Stored& token : stored()) {
    if (token.grant.record.expires_at && *token.grant.record.expires_at <= now) {
      erase(token);
      continue;
    }
    out.push_back(std::move(token.grant));
  }
  return out;
}

bool KvPersonalTokenStore::erase(const Stored& token) {
  const nats::KvWrite write =
      cluster::blocking_call(bucket_.erase(token_key(token.grant.token_hash), token.revision));
  const auto* written = std::get_if<nats::KvWritten>(&write);
  if (written == nullptr) return false;  // gone, or changed meanwhile (a last use)
  // The name is free again only once the token is gone.
  const std::string claimed = name_key(token.grant.record.username, token.grant.record.name);
  if (const auto name = bucket_.get_now(claimed); name && name->value == token.grant.token_hash) {
    cluster::blocking_call(bucket_.erase(claimed, name->revision));
  }
  progress_.await(written->revision);
  return true;
}

bool KvPersonalTokenStore::remove(std::string_view username, std::string_view name) {
  for (;;) {
    const auto claimed = bucket_.get_now(name_key(username, name));
    if (!claimed) return false;
    const auto token = bucket_.get_now(token_key(claimed->value));
    if (!token) {
      // A name whose token is gone (a node stopped between the two writes).
      cluster::blocking_call(bucket_.erase(name_key(username, name), claimed->revision));
      return false;
    }
    auto record = read_record(token->value);
    if (!record) return false;
    if (erase({{claimed->value, std::move(*record), {}}, token->revision})) return true;
    // A last use moved the token's revision meanwhile: read it again.
  }
}

int KvPersonalTokenStore::remove_user(std::string_view username) {
  int removed = 0;
  for (const auth::PersonalTokenRecord& record : list(username)) {
    if (remove(username, record.name)) ++removed;
  }
  return removed;
}

void KvPersonalTokenStore::record_use(
    const std::vector<std::pair<std::string, std::int64_t>>& uses) {
  for (const auto& [hash, at] : uses) {
    const std::string key = token_key(hash);
    const auto entry = mirror_->get(key);
    if (!entry || entry->operation != nats::KvEntry::Operation::put) continue;
    auto record = read_record(entry->value);
    if (!record || (record->last_used_at && *record->last_used_at >= at)) continue;
    record->last_used_at = at;
    // Conditional: a token revoked meanwhile stays revoked; a lost race only
    // loses a last-use time.
    cluster::blocking_call(bucket_.update(key, record_text(*record), entry->revision));
  }
}

}  // namespace blender_bus::auth_kv
