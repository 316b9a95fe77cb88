#include "auth_kv/kv_oauth_client_store.hpp"

#include <boost/json.hpp>

#include "auth/sha256.hpp"
#include "auth_kv/auth_buckets.hpp"
#include "auth_kv/loaded_mirror.hpp"
#include "auth_kv/record_fields.hpp"
#include "cluster/blocking_call.hpp"

namespace blender_bus::auth_kv {

namespace json = boost::json;

namespace {

// A client id may be a metadata document URL of up to 2,048 characters,
// longer than a key may be: keys hold its SHA-256.
std::string client_key(std::string_view client_id) {
  return "client." + auth::sha256_hex(client_id);
}

std::string client_text(const auth::OAuthClient& client) {
  return json::serialize(json::object{{"client_id", client.client_id},
                                      {"client_name", client.client_name},
                                      {"redirect_uris", string_array(client.redirect_uris)},
                                      {"application_type", client.application_type},
                                      {"created_at", client.created_at}});
}

// The client in a key's value; nullopt for a value no node writes.
std::optional<auth::OAuthClient> read_client(std::string_view text) {
  const auto object = parse_record(text);
  if (!object) return std::nullopt;
  auto client_id = string_field(*object, "client_id");
  auto name = string_field(*object, "client_name");
  auto uris = string_list_field(*object, "redirect_uris");
  auto type = string_field(*object, "application_type");
  auto created = int_field(*object, "created_at");
  if (!client_id || !name || !uris || !type || !created) return std::nullopt;
  return auth::OAuthClient{std::move(*client_id), std::move(*name), std::move(*uris),
                           std::move(*type), *created};
}

}  // namespace

KvOAuthClientStore::KvOAuthClientStore(cluster::Cluster& cluster)
    : bucket_(cluster.bucket(kOAuthClientsBucket)) {
  nats::KvMirror::Callbacks callbacks;
  callbacks.on_change = [this](const nats::KvEntry& entry) { progress_.applied(entry.revision); };
  mirror_ = load_mirror(cluster, kOAuthClientsBucket, std::move(callbacks), "the OAuth clients");
}

KvOAuthClientStore::~KvOAuthClientStore() {
  mirror_.reset();
}

bool KvOAuthClientStore::add(const auth::OAuthClient& client) {
  const nats::KvWrite write =
      cluster::blocking_call(bucket_.create(client_key(client.client_id), client_text(client)));
  const auto* written = std::get_if<nats::KvWritten>(&write);
  if (written == nullptr) return false;
  progress_.await(written->revision);
  return true;
}

void KvOAuthClientStore::put(const auth::OAuthClient& client) {
  progress_.await(
      cluster::blocking_call(bucket_.put(client_key(client.client_id), client_text(client))));
}

std::optional<auth::OAuthClient> KvOAuthClientStore::find(std::string_view client_id) const {
  const std::string key = client_key(client_id);
  auto entry = mirror_->get(key);
  if (!entry || entry->operation != nats::KvEntry::Operation::put) entry = bucket_.get_now(key);
  if (!entry) return std::nullopt;
  auto client = read_client(entry->value);
  if (!client || client->client_id != client_id) return std::nullopt;
  return client;
}

}  // namespace blender_bus::auth_kv
