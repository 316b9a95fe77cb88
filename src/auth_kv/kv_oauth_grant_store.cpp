#include "auth_kv/kv_oauth_grant_store.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

#include "auth_kv/auth_buckets.hpp"
#include "auth_kv/loaded_mirror.hpp"
#include "auth_kv/record_fields.hpp"
#include "cluster/blocking_call.hpp"
#include "nats/subject_token.hpp"

namespace blender_bus::auth_kv {

namespace json = boost::json;

namespace {

constexpr std::string_view kGrantPrefix = "grant.";
constexpr std::string_view kCodePrefix = "code.";
constexpr std::string_view kRefreshPrefix = "refresh.";

std::string key_of(std::string_view prefix, std::string_view id) {
  return std::string(prefix) + nats::encode_subject_token(id);
}

using GrantRecord = KvOAuthGrantStore::GrantRecord;

std::string grant_text(const GrantRecord& record) {
  const auth::OAuthGrant& g = record.grant;
  return json::serialize(json::object{{"client_id", g.client_id},
                                      {"user", g.username},
                                      {"user_since", record.user_since},
                                      {"scopes", string_array(g.scopes)},
                                      {"resource", g.resource},
                                      {"created_at", g.created_at},
                                      {"revoked_at", int_or_null(record.revoked_at)}});
}

std::optional<GrantRecord> read_grant_text(std::string_view grant_id, std::string_view text) {
  const auto o = parse_record(text);
  if (!o) return std::nullopt;
  auto client_id = string_field(*o, "client_id");
  auto user = string_field(*o, "user");
  auto since = double_field(*o, "user_since");
  auto scopes = string_list_field(*o, "scopes");
  auto resource = string_field(*o, "resource");
  auto created = int_field(*o, "created_at");
  if (!client_id || !user || !since || !scopes || !resource || !created) return std::nullopt;
  return GrantRecord{{std::string(grant_id), std::move(*client_id), std::move(*user),
                      std::move(*scopes), std::move(*resource), *created},
                     *since,
                     int_field(*o, "revoked_at")};
}

struct CodeRecord {
  std::string grant_id;
  std::string redirect_uri;
  std::string code_challenge;
  std::int64_t expires_at = 0;
  std::optional<std::int64_t> used_at;
};

std::string code_text(const CodeRecord& code) {
  return json::serialize(json::object{{"grant_id", code.grant_id},
                                      {"redirect_uri", code.redirect_uri},
                                      {"code_challenge", code.code_challenge},
                                      {"expires_at", code.expires_at},
                                      {"used_at", int_or_null(code.used_at)}});
}

std::optional<CodeRecord> read_code(std::string_view text) {
  const auto o = parse_record(text);
  if (!o) return std::nullopt;
  auto grant_id = string_field(*o, "grant_id");
  auto redirect = string_field(*o, "redirect_uri");
  auto challenge = string_field(*o, "code_challenge");
  auto expires = int_field(*o, "expires_at");
  if (!grant_id || !redirect || !challenge || !expires) return std::nullopt;
  return CodeRecord{std::move(*grant_id), std::move(*redirect), std::move(*challenge), *expires,
                    int_field(*o, "used_at")};
}

struct RefreshRecord {
  std::string grant_id;
  std::int64_t expires_at = 0;
  std::optional<std::int64_t> rotated_at;
};

std::string refresh_text(const RefreshRecord& token) {
  return json::serialize(json::object{{"grant_id", token.grant_id},
                                      {"expires_at", token.expires_at},
                                      {"rotated_at", int_or_null(token.rotated_at)}});
}

std::optional<RefreshRecord> read_refresh(std::string_view text) {
  const auto o = parse_record(text);
  if (!o) return std::nullopt;
  auto grant_id = string_field(*o, "grant_id");
  auto expires = int_field(*o, "expires_at");
  if (!grant_id || !expires) return std::nullopt;
  return RefreshRecord{std::move(*grant_id), *expires, int_field(*o, "rotated_at")};
}

bool is_put(const nats::KvEntry& entry) {
  return entry.operation == nats::KvEntry::Operation::put;
}

// A key's id (after its prefix), decoded.
std::string id_of(const nats::KvEntry& entry, std::string_view prefix) {
  return nats::decode_subject_token(std::string_view(entry.key).substr(prefix.size()));
}

}  // namespace

KvOAuthGrantStore::KvOAuthGrantStore(cluster::Cluster& cluster, const auth::UserStore& users,
                                     const auth::OAuthClientStore& clients)
    : users_(&users), clients_(&clients), bucket_(cluster.bucket(kOAuthGrantsBucket)) {
  nats::KvMirror::Callbacks callbacks;
  callbacks.on_change = [this](const nats::KvEntry& entry) { note(entry); };
  mirror_ = load_mirror(cluster, kOAuthGrantsBucket, std::move(callbacks), "the OAuth grants");
}

KvOAuthGrantStore::~KvOAuthGrantStore() {
  mirror_.reset();
}

void KvOAuthGrantStore::note(const nats::KvEntry& entry) {
  progress_.applied(entry.revision);
  if (!entry.key.starts_with(kGrantPrefix)) return;
  listener_.notify();
}

void KvOAuthGrantStore::on_change(std::function<void()> listener) {
  listener_.set(std::move(listener));
}

std::optional<KvOAuthGrantStore::Read<GrantRecord>> KvOAuthGrantStore::read_grant(
    std::string_view grant_id) const {
  const auto entry = bucket_.get_now(key_of(kGrantPrefix, grant_id));
  if (!entry) return std::nullopt;
  auto record = read_grant_text(grant_id, entry->value);
  if (!record) return std::nullopt;
  return Read<GrantRecord>{std::move(*record), entry->revision};
}

bool KvOAuthGrantStore::user_holds(const GrantRecord& grant) const {
  const auto user = users_->find(grant.grant.username);
  return user && user->created_at == grant.user_since;
}

std::optional<std::string> KvOAuthGrantStore::revoke(std::string_view grant_id, std::int64_t now) {
  for (;;) {
    auto read = read_grant(grant_id);
    if (!read || read->record.revoked_at) return std::nullopt;
    read->record.revoked_at = now;
    const nats::KvWrite write = cluster::blocking_call(
        bucket_.update(key_of(kGrantPrefix, grant_id), grant_text(read->record), read->revision));
    if (const auto* written = std::get_if<nats::KvWritten>(&write)) {
      progress_.await(written->revision);
      return std::move(read->record.grant.username);
    }
    // Another node wrote the grant meanwhile (revoked it, most likely): read it again.
  }
}

bool KvOAuthGrantStore::add_grant(const auth::OAuthGrant& grant, std::string_view code_hash,
                                  std::string_view redirect_uri, std::string_view code_challenge,
                                  std::int64_t code_expires_at) {
  if (!clients_->find(grant.client_id)) return false;
  const auto user = users_->find(grant.username);
  if (!user) return false;
  const nats::KvWrite made = cluster::blocking_call(bucket_.create(
      key_of(kGrantPrefix, grant.grant_id), grant_text({grant, user->created_at, std::nullopt})));
  if (!std::holds_alternative<nats::KvWritten>(made)) {
    throw std::runtime_error("a random grant id was taken");
  }
  const nats::KvWrite code = cluster::blocking_call(
      bucket_.create(key_of(kCodePrefix, code_hash),
                     code_text({grant.grant_id, std::string(redirect_uri),
                                std::string(code_challenge), code_expires_at, std::nullopt})));
  const auto* written = std::get_if<nats::KvWritten>(&code);
  if (written == nullptr) throw std::runtime_error("a random authorization code was taken");
  progress_.await(written->revision);
  return true;
}

std::variant<auth::OAuthGrantStore::Redeemed, auth::OAuthGrantStore::Reused,
             auth::OAuthGrantStore::Unknown>
KvOAuthGrantStore::redeem_code(std::string_view code_hash, std::int64_t now) {
  const std::string key = key_of(kCodePrefix, code_hash);
  for (;;) {
    const auto entry = bucket_.get_now(key);
    if (!entry) return Unknown{};
    auto code = read_code(entry->value);
    if (!code) return Unknown{};
    auto grant = read_grant(code->grant_id);
    if (!grant) return Unknown{};
    if (code->used_at) {
      revoke(code->grant_id, now);
      return Reused{std::move(grant->record.grant.username)};
    }
    if (grant->record.revoked_at || code->expires_at <= now || !user_holds(grant->record)) {
      return Unknown{};
    }
    code->used_at = now;
    const nats::KvWrite write =
        cluster::blocking_call(bucket_.update(key, code_text(*code), entry->revision));
    if (const auto* written = std::get_if<nats::KvWritten>(&write)) {
      progress_.await(written->revision);
      return Redeemed{auth::OAuthCode{std::move(grant->record.grant), std::move(code->redirect_uri),
                                      std::move(code->code_challenge)}};
    }
    // Redeemed elsewhere at the same moment (or purged): the next read says which.
  }
}

void KvOAuthGrantStore::add_refresh(std::string_view grant_id, std::string_view token_hash,
                                    std::int64_t expires_at) {
  const nats::KvWrite write = cluster::blocking_call(
      bucket_.create(key_of(kRefreshPrefix, token_hash),
                     refresh_text({std::string(grant_id), expires_at, std::nullopt})));
  const auto* written = std::get_if<nats::KvWritten>(&write);
  if (written == nullptr) throw std::runtime_error("a random refresh token was taken");
  progress_.await(written->revision);
}

std::variant<auth::OAuthGrantStore::Rotated, auth::OAuthGrantStore::Reused,
             auth::OAuthGrantStore::Unknown>
KvOAuthGrantStore::rotate_refresh(std::string_view token_hash, std::string_view client_id,
                                  std::string_view replacement_hash,
                                  std::int64_t replacement_expires_at, std::int64_t now) {
  const std::string key = key_of(kRefreshPrefix, token_hash);
  for (;;) {
    const auto entry = bucket_.get_now(key);
    if (!entry) return Unknown{};
    auto token = read_refresh(entry->value);
    if (!token) return Unknown{};
    auto grant = read_grant(token->grant_id);
    if (!grant || grant->record.revoked_at || grant->record.grant.client_id != client_id) {
      return Unknown{};
    }
    if (token->rotated_at) {
      // A retired token came back: one of its two holders is not the client.
      revoke(token->grant_id, now);
      return Reused{std::move(grant->record.grant.username)};
    }
    if (token->expires_at <= now || !user_holds(grant->record)) return Unknown{};
    token->rotated_at = now;
    const nats::KvWrite retired =
        cluster::blocking_call(bucket_.update(key, refresh_text(*token), entry->revision));
    if (!std::holds_alternative<nats::KvWritten>(retired)) continue;  // rotated elsewhere
    add_refresh(token->grant_id, replacement_hash, replacement_expires_at);
    // A revocation that landed between the first read and the rotation wins:
    // the replacement goes with its grant.
    auto after = read_grant(token->grant_id);
    if (!after || after->record.revoked_at) return Unknown{};
    return Rotated{std::move(after->record.grant)};
  }
}

std::optional<std::string> KvOAuthGrantStore::revoke_by_refresh(std::string_view token_hash,
                                                                std::string_view client_id,
                                                                std::int64_t now) {
  const auto entry = bucket_.get_now(key_of(kRefreshPrefix, token_hash));
  if (!entry) return std::nullopt;
  const auto token = read_refresh(entry->value);
  if (!token) return std::nullopt;
  if (!client_id.empty()) {
    const auto grant = read_grant(token->grant_id);
    if (!grant || grant->record.grant.client_id != client_id) return std::nullopt;
  }
  return revoke(token->grant_id, now);
}

std::optional<std::string> KvOAuthGrantStore::revoke_grant(std::string_view grant_id,
                                                           std::int64_t now) {
  return revoke(grant_id, now);
}

int KvOAuthGrantStore::revoke_client(std::string_view username, std::string_view client_id,
                                     std::int64_t now) {
  int revoked = 0;
  for (const nats::KvEntry& entry : mirror_->entries()) {
    if (!entry.key.starts_with(kGrantPrefix) || !is_put(entry)) continue;
    const std::string grant_id = id_of(entry, kGrantPrefix);
    const auto record = read_grant_text(grant_id, entry.value);
    if (!record || record->revoked_at || record->grant.username != username ||
        record->grant.client_id != client_id) {
      continue;
    }
    if (revoke(grant_id, now)) ++revoked;
  }
  return revoked;
}

std::vector<std::pair<std::string, std::string>> KvOAuthGrantStore::revoked_since(
    std::int64_t since) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const nats::KvEntry& entry : mirror_->entries()) {
    if (!entry.key.starts_with(kGrantPrefix) || !is_put(entry)) continue;
    std::string grant_id = id_of(entry, kGrantPrefix);
    auto record = read_grant_text(grant_id, entry.value);
    if (record && record->revoked_at && *record->revoked_at > since) {
      out.emplace_back(std::move(grant_id), std::move(record->grant.username));
    }
  }
  return out;
}

std::vector<auth::ConsentedClient> KvOAuthGrantStore::consented_clients(std::string_view username,
                                                                        std::int64_t now) const {
  const std::vector<nats::KvEntry> entries = mirror_->entries();
  std::set<std::string> usable;  // grants with a current refresh token or an unused code
  for (const nats::KvEntry& entry : entries) {
    if (!is_put(entry)) continue;
    if (entry.key.starts_with(kRefreshPrefix)) {
      const auto token = read_refresh(entry.value);
      if (token && !token->rotated_at && token->expires_at > now) usable.insert(token->grant_id);
    } else if (entry.key.starts_with(kCodePrefix)) {
      const auto code = read_code(entry.value);
      if (code && !code->used_at && code->expires_at > now) usable.insert(code->grant_id);
    }
  }
  std::vector<GrantRecord> grants;
  for (const nats::KvEntry& entry : entries) {
    if (!entry.key.starts_with(kGrantPrefix) || !is_put(entry)) continue;
    auto record = read_grant_text(id_of(entry, kGrantPrefix), entry.value);
    if (!record || record->revoked_at || record->grant.username != username ||
        !usable.contains(record->grant.grant_id) || !user_holds(*record)) {
      continue;
    }
    grants.push_back(std::move(*record));
  }
  std::sort(grants.begin(), grants.end(), [](const GrantRecord& a, const GrantRecord& b) {
    return std::tie(a.grant.client_id, a.grant.created_at) <
           std::tie(b.grant.client_id, b.grant.created_at);
  });
  std::vector<auth::ConsentedClient> out;
  for (GrantRecord& record : grants) {
    auth::OAuthGrant& grant = record.grant;
    if (out.empty() || out.back().client_id != grant.client_id) {
      const auto client = clients_->find(grant.client_id);
      if (!client) continue;
      out.push_back({grant.client_id, client->client_name, {}, grant.created_at, 0});
    }
    out.back().scopes = std::move(grant.scopes);
    ++out.back().grants;
  }
  return out;
}

void KvOAuthGrantStore::purge(std::int64_t now, std::int64_t forget_revoked_before) {
  const std::vector<nats::KvEntry> entries = mirror_->entries();
  // Each grant's codes and refresh tokens that are left after this purge.
  std::map<std::string, std::vector<const nats::KvEntry*>> family;
  std::vector<const nats::KvEntry*> expired;
  for (const nats::KvEntry& entry : entries) {
    if (!is_put(entry)) continue;
    std::optional<std::pair<std::string, std::int64_t>> of;  // grant id, expires_at
    if (entry.key.starts_with(kRefreshPrefix)) {
      if (auto token = read_refresh(entry.value)) of.emplace(token->grant_id, token->expires_at);
    } else if (entry.key.starts_with(kCodePrefix)) {
      if (auto code = read_code(entry.value)) of.emplace(code->grant_id, code->expires_at);
    }
    if (!of) continue;
    if (of->second <= now) {
      expired.push_back(&entry);
    } else {
      family[of->first].push_back(&entry);
    }
  }
  // Conditional deletes: what changed meanwhile (a code redeemed, a token
  // rotated) waits for the next purge.
  std::uint64_t last_revision = 0;
  const auto erase = [this, &last_revision](const nats::KvEntry& entry) {
    const nats::KvWrite write = cluster::blocking_call(bucket_.erase(entry.key, entry.revision));
    if (const auto* written = std::get_if<nats::KvWritten>(&write)) {
      last_revision = std::max(last_revision, written->revision);
    }
  };
  for (const nats::KvEntry* entry : expired) erase(*entry);
  for (const nats::KvEntry& entry : entries) {
    if (!entry.key.starts_with(kGrantPrefix) || !is_put(entry)) continue;
    const std::string grant_id = id_of(entry, kGrantPrefix);
    const auto record = read_grant_text(grant_id, entry.value);
    if (!record) continue;
    const auto members = family.find(grant_id);
    const bool forgotten = record->revoked_at && *record->revoked_at < forget_revoked_before;
    const bool unused = !record->revoked_at && members == family.end() &&
                        record->grant.created_at < now - kUnusedGrantAge;
    if (!forgotten && !unused) continue;
    if (members != family.end()) {
      for (const nats::KvEntry* member : members->second) erase(*member);
    }
    erase(entry);
  }
  progress_.await(last_revision);
}

}  // namespace blender_bus::auth_kv
