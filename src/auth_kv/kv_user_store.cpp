#include "auth_kv/kv_user_store.hpp"

#include <boost/json.hpp>
#include <stdexcept>

#include "auth/sha256.hpp"
#include "auth/username.hpp"
#include "auth_kv/auth_buckets.hpp"
#include "auth_kv/loaded_mirror.hpp"
#include "cluster/blocking_call.hpp"
#include "nats/subject_token.hpp"
#include "nats/transient.hpp"

namespace blender_bus::auth_kv {

namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kUserPrefix = "user.";
constexpr std::string_view kGenerationPrefix = "generation.";

json::array to_array(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

std::vector<std::string> strings_of(const json::object& object, std::string_view field) {
  std::vector<std::string> out;
  const auto* value = object.if_contains(field);
  if (value == nullptr || !value->is_array()) return out;
  for (const auto& item : value->as_array()) {
    if (item.is_string()) out.emplace_back(item.as_string());
  }
  return out;
}

std::uint64_t number_of(const json::object& object, std::string_view field) {
  const auto* value = object.if_contains(field);
  if (value == nullptr) return 0;
  if (value->is_uint64()) return value->as_uint64();
  if (value->is_int64() && value->as_int64() > 0)
    return static_cast<std::uint64_t>(value->as_int64());
  return 0;
}

// Written by this program; a value that is not an object reads as empty
// rather than failing every login over one bad key.
json::object parse_object(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) return {};
  return std::move(value.as_object());
}

TokenGenerations generations_of(std::string_view text) {
  const json::object object = parse_object(text);
  return {number_of(object, "access"), number_of(object, "refresh")};
}

std::string generations_text(const TokenGenerations& generations) {
  return json::serialize(
      json::object{{"access", generations.access}, {"refresh", generations.refresh}});
}

std::string user_text(std::string_view username, std::string_view password_hash,
                      const std::vector<std::string>& roles, const std::vector<std::string>& scopes,
                      double created_at) {
  return json::serialize(json::object{{"username", username},
                                      {"password_hash", password_hash},
                                      {"roles", to_array(roles)},
                                      {"scopes", to_array(scopes)},
                                      {"created_at", created_at}});
}

// A username as one key token: its subject token, readable and reversible,
// or, for a name whose token would be too long (a 128-byte name of non-ASCII
// letters), '=' and its SHA-256 (the token never holds '=', so the two
// never meet).
std::string name_token(std::string_view username) {
  try {
    return nats::encode_subject_token(username);
  } catch (const nats::SubjectTokenError&) {
    return "=" + auth::sha256_hex(username);
  }
}

// The username a key is about, if it is a user's or a generation's key and
// the name can be read from it (not a hashed one).
std::optional<std::string> username_of(std::string_view key) {
  std::string_view token;
  if (key.starts_with(kUserPrefix)) {
    token = key.substr(kUserPrefix.size());
  } else if (key.starts_with(kGenerationPrefix)) {
    token = key.substr(kGenerationPrefix.size());
  } else {
    return std::nullopt;
  }
  try {
    return nats::decode_subject_token(token);
  } catch (const nats::SubjectTokenError&) {
    return std::nullopt;
  }
}

void require_valid_username(std::string_view username) {
  if (auto problem = auth::username_problem(username)) throw std::invalid_argument(*problem);
}

}  // namespace

std::string user_key(std::string_view username) {
  return std::string(kUserPrefix) + name_token(username);
}

std::string generation_key(std::string_view username) {
  return std::string(kGenerationPrefix) + name_token(username);
}

KvUserStore::KvUserStore(cluster::Cluster& cluster, const auth::PasswordHasher& hasher,
                         auth::Clock clock)
    : hasher_(hasher), clock_(std::move(clock)), bucket_(cluster.bucket(kAuthBucket)) {
  nats::KvMirror::Callbacks callbacks;
  callbacks.on_change = [this](const nats::KvEntry& entry) { note(entry); };
  mirror_ = load_mirror(cluster, kAuthBucket, std::move(callbacks), "the users");
}

KvUserStore::~KvUserStore() {
  mirror_.reset();
}

void KvUserStore::note(const nats::KvEntry& entry) {
  progress_.applied(entry.revision);
  if (!entry.key.starts_with(kUserPrefix) && !entry.key.starts_with(kGenerationPrefix)) return;
  listener_.notify(username_of(entry.key));
}

void KvUserStore::on_user_changed(std::function<void(const std::optional<std::string>&)> listener) {
  listener_.set(std::move(listener));
}

std::optional<KvUserStore::Stored> KvUserStore::read(std::string_view username, bool leader) const {
  if (auth::username_problem(username)) return std::nullopt;
  const std::string ukey = user_key(username);
  const std::string gkey = generation_key(username);
  std::optional<nats::KvEntry> user = mirror_->get(ukey);
  std::optional<nats::KvEntry> generation;
  if (user && !leader) {
    generation = mirror_->get(gkey);
  } else {
    // Not in the mirror (yet), or a write needs the latest revision.
    user = bucket_.get_now(ukey);
    if (!user) return std::nullopt;
    generation = bucket_.get_now(gkey);
  }
  const json::object object = parse_object(user->value);
  Stored stored;
  stored.record.username = std::string(username);
  stored.record.roles = strings_of(object, "roles");
  stored.record.scopes = strings_of(object, "scopes");
  if (const auto* created = object.if_contains("created_at"); created && created->is_number()) {
    stored.record.created_at = created->to_number<double>();
  }
  if (generation) stored.record.token_generation = generations_of(generation->value).access;
  if (const auto* hash = object.if_contains("password_hash"); hash && hash->is_string()) {
    stored.password_hash = std::string(hash->as_string());
  }
  stored.revision = user->revision;
  return stored;
}

TokenGenerations KvUserStore::generations(std::string_view username) const {
  auto entry = bucket_.get_now(generation_key(username));
  return entry ? generations_of(entry->value) : TokenGenerations{};
}

void KvUserStore::bump(std::string_view username, Which which) {
  const std::string key = generation_key(username);
  for (;;) {
    const auto entry = bucket_.get_now(key);
    TokenGenerations generations = entry ? generations_of(entry->value) : TokenGenerations{};
    (which == Which::access ? generations.access : generations.refresh) += 1;
    const nats::KvWrite write =
        entry ? cluster::blocking_call(
                    bucket_.update(key, generations_text(generations), entry->revision))
              : cluster::blocking_call(bucket_.create(key, generations_text(generations)));
    if (const auto* written = std::get_if<nats::KvWritten>(&write)) {
      progress_.await(written->revision);
      return;
    }
    // Another writer moved it meanwhile: read again and add to theirs.
  }
}

void KvUserStore::revoke_refresh_tokens(std::string_view username) {
  bump(username, Which::refresh);
}

bool KvUserStore::add(std::string_view username, std::string_view password,
                      const std::vector<std::string>& roles,
                      const std::vector<std::string>& scopes) {
  require_valid_username(username);
  const std::string hash = hasher_.hash(password);
  const double now = std::chrono::duration<double>(clock_().time_since_epoch()).count();
  const nats::KvWrite write = cluster::blocking_call(
      bucket_.create(user_key(username), user_text(username, hash, roles, scopes, now)));
  const auto* written = std::get_if<nats::KvWritten>(&write);
  if (written == nullptr) return false;
  progress_.await(written->revision);
  return true;
}

bool KvUserStore::set_password(std::string_view username, std::string_view password) {
  const std::string hash = hasher_.hash(password);
  if (!read(username, true)) return false;
  // The generation first: should the password's write fail after it, the
  // old tokens are revoked anyway, and the command can be run again.
  bump(username, Which::access);
  for (;;) {
    const auto stored = read(username, true);
    if (!stored) return false;
    const nats::KvWrite write = cluster::blocking_call(
        bucket_.update(user_key(username),
                       user_text(username, hash, stored->record.roles, stored->record.scopes,
                                 stored->record.created_at),
                       stored->revision));
    if (const auto* written = std::get_if<nats::KvWritten>(&write)) {
      progress_.await(written->revision);
      return true;
    }
  }
}

bool KvUserStore::remove(std::string_view username) {
  if (!read(username, true)) return false;
  bump(username, Which::access);
  bump(username, Which::refresh);
  for (;;) {
    const auto stored = read(username, true);
    if (!stored) return true;  // removed meanwhile by someone else
    const nats::KvWrite write =
        cluster::blocking_call(bucket_.erase(user_key(username), stored->revision));
    if (const auto* written = std::get_if<nats::KvWritten>(&write)) {
      progress_.await(written->revision);
      return true;
    }
  }
}

bool KvUserStore::revoke_access_tokens(std::string_view username) {
  if (!read(username, true)) return false;
  bump(username, Which::access);
  return true;
}

std::optional<auth::UserRecord> KvUserStore::find(std::string_view username) const {
  auto stored = read(username, false);
  if (!stored) return std::nullopt;
  return std::move(stored->record);
}

std::vector<auth::UserRecord> KvUserStore::list() const {
  std::vector<auth::UserRecord> out;
  for (const nats::KvEntry& entry : mirror_->entries()) {
    if (!entry.key.starts_with(kUserPrefix)) continue;
    const json::object object = parse_object(entry.value);
    const auto* username = object.if_contains("username");
    if (username == nullptr || !username->is_string()) continue;
    if (auto stored = read(username->as_string(), false)) {
      out.push_back(std::move(stored->record));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.username < b.username; });
  return out;
}

std::size_t KvUserStore::count() const {
  std::size_t n = 0;
  for (const nats::KvEntry& entry : mirror_->entries()) {
    if (entry.key.starts_with(kUserPrefix)) ++n;
  }
  return n;
}

std::optional<auth::UserRecord> KvUserStore::verify_credentials(std::string_view username,
                                                                std::string_view password) const {
  auto stored = read(username, false);
  if (!stored) {
    hasher_.verify_dummy(password);
    return std::nullopt;
  }
  if (!hasher_.verify(stored->password_hash, password)) return std::nullopt;
  return std::move(stored->record);
}

}  // namespace blender_bus::auth_kv
