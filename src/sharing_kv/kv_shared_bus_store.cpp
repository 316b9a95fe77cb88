#include "sharing_kv/kv_shared_bus_store.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <stdexcept>

#include "cluster/blocking_call.hpp"
#include "nats/subject_token.hpp"
#include "nats/transient.hpp"
#include "sharing_kv/sharing_bucket.hpp"

namespace blender_bus::sharing_kv {

namespace json = boost::json;
using namespace std::chrono_literals;
using sharing::BusRole;

namespace {

constexpr std::string_view kBusPrefix = "bus.";
constexpr std::string_view kMemberPrefix = "member.";
constexpr std::string_view kInvitePrefix = "invite.";
constexpr std::string_view kClientPrefix = "client.";

// An id as one key token: its subject token, or, for one too long for a
// token, '=' and its SHA-256 (a token never holds '=', so the two never meet).
// Values carry the ids themselves, so no key is ever read back into an id.
std::string token(std::string_view id) {
  try {
    return nats::encode_subject_token(id);
  } catch (const nats::SubjectTokenError&) {
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(id.data()), id.size());
    std::string out = "=";
    static constexpr char kDigits[] = "0123456789abcdef";
    for (unsigned char b : digest) {
      out.push_back(kDigits[b >> 4]);
      out.push_back(kDigits[b & 0xF]);
    }
    return out;
  }
}

// Written by this program; a value that is not an object reads as empty.
json::object parse_object(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) return {};
  return std::move(value.as_object());
}

std::string text_of(const json::object& o, std::string_view field) {
  const auto* v = o.if_contains(field);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

double number_of(const json::object& o, std::string_view field) {
  const auto* v = o.if_contains(field);
  return v && v->is_number() ? v->to_number<double>() : 0;
}

bool flag_of(const json::object& o, std::string_view field) {
  const auto* v = o.if_contains(field);
  return v && v->is_bool() && v->as_bool();
}

BusRole role_of(const json::object& o) {
  return sharing::parse_role(text_of(o, "role")).value_or(BusRole::guest);
}

std::vector<std::string> owners_of(const json::object& o) {
  std::vector<std::string> out;
  const auto* v = o.if_contains("owners");
  if (!v || !v->is_array()) return out;
  for (const auto& item : v->as_array()) {
    if (item.is_string()) out.emplace_back(item.as_string());
  }
  return out;
}

std::string bus_text(const sharing::BusRow& bus, const std::vector<std::string>& owners) {
  json::array list;
  for (const auto& o : owners) list.emplace_back(o);
  return json::serialize(json::object{{"bus_id", bus.bus_id},
                                      {"name", bus.name},
                                      {"created_by", bus.created_by},
                                      {"created_at", bus.created_at},
                                      {"archived", bus.archived},
                                      {"owners", std::move(list)}});
}

sharing::BusRow bus_row_of(const json::object& o) {
  return {text_of(o, "bus_id"), text_of(o, "name"), text_of(o, "created_by"),
          number_of(o, "created_at"), flag_of(o, "archived")};
}

std::string member_text(const sharing::MembershipRow& m) {
  return json::serialize(json::object{{"bus_id", m.bus_id},
                                      {"username", m.username},
                                      {"role", sharing::role_name(m.role)},
                                      {"joined_at", m.joined_at}});
}

std::string invitation_text(const sharing::InvitationRow& inv) {
  return json::serialize(json::object{{"code_hash", inv.code_hash},
                                      {"bus_id", inv.bus_id},
                                      {"username", inv.username},
                                      {"role", sharing::role_name(inv.role)},
                                      {"invited_by", inv.invited_by},
                                      {"expires_at", inv.expires_at},
                                      {"used", inv.used}});
}

sharing::InvitationRow invitation_of(const json::object& o) {
  return {text_of(o, "code_hash"),  text_of(o, "bus_id"),       text_of(o, "username"), role_of(o),
          text_of(o, "invited_by"), number_of(o, "expires_at"), flag_of(o, "used")};
}

std::string client_text(const sharing::ClientOwnerRow& c) {
  return json::serialize(
      json::object{{"bus_id", c.bus_id}, {"client_uuid", c.client_uuid}, {"username", c.username}});
}

}  // namespace

std::string bus_key(std::string_view bus_id) {
  return std::string(kBusPrefix) + token(bus_id);
}

std::string member_key(std::string_view bus_id, std::string_view username) {
  return std::string(kMemberPrefix) + token(bus_id) + "." + token(username);
}

std::string invitation_key(std::string_view code_hash) {
  return std::string(kInvitePrefix) + token(code_hash);
}

std::string client_key(std::string_view bus_id, std::string_view client_uuid) {
  return std::string(kClientPrefix) + token(bus_id) + "." + token(client_uuid);
}

KvSharedBusStore::KvSharedBusStore(cluster::Cluster& cluster)
    : bucket_(cluster.bucket(kSharingBucket)) {
  nats::KvMirror::Callbacks callbacks;
  callbacks.on_change = [this](const nats::KvEntry& entry) { note(entry); };
  // Making its consumer needs the bucket's leader: wait out an election.
  mirror_ = nats::retry_transient(std::chrono::steady_clock::now() + 30s, [&] {
    return std::make_unique<nats::KvMirror>(cluster.connection(), kSharingBucket, callbacks);
  });
  if (!mirror_->wait_loaded_for(30s)) {
    throw nats::NatsError(
        NATS_TIMEOUT, 0,
        std::string("the shared buses (KV ") + kSharingBucket + ") did not load within 30 s");
  }
}

KvSharedBusStore::~KvSharedBusStore() {
  mirror_.reset();
}

void KvSharedBusStore::note(const nats::KvEntry& entry) {
  {
    std::lock_guard lock(mutex_);
    applied_ = std::max(applied_, entry.revision);
  }
  applied_changed_.notify_all();
  listener_.notify();
}

void KvSharedBusStore::on_changed(std::function<void()> listener) {
  listener_.set(std::move(listener));
}

void KvSharedBusStore::await_mirror(std::uint64_t revision) const {
  std::unique_lock lock(mutex_);
  applied_changed_.wait_for(lock, 2s, [&] { return applied_ >= revision; });
}

void KvSharedBusStore::await_gone(const std::string& key) const {
  {
    std::unique_lock lock(mutex_);
    applied_changed_.wait_for(lock, 2s, [&] { return !mirror_->get(key).has_value(); });
  }
  // The mirror drops the key just before it reports the marker's revision.
  await_mirror(mirror_->last_revision());
}

std::uint64_t KvSharedBusStore::revision() const {
  std::lock_guard lock(mutex_);
  return applied_;
}

sharing::SharedBusSnapshot KvSharedBusStore::load(double now) {
  sharing::SharedBusSnapshot out;
  for (const nats::KvEntry& entry : mirror_->entries()) {
    const json::object o = parse_object(entry.value);
    if (entry.key.starts_with(kBusPrefix)) {
      out.buses.push_back(bus_row_of(o));
    } else if (entry.key.starts_with(kMemberPrefix)) {
      out.memberships.push_back(
          {text_of(o, "bus_id"), text_of(o, "username"), role_of(o), number_of(o, "joined_at")});
    } else if (entry.key.starts_with(kInvitePrefix)) {
      sharing::InvitationRow inv = invitation_of(o);
      if (inv.expires_at > now - sharing::kExpiredInvitationKeptSeconds)
        out.invitations.push_back(std::move(inv));
    } else if (entry.key.starts_with(kClientPrefix)) {
      out.client_owners.push_back(
          {text_of(o, "bus_id"), text_of(o, "client_uuid"), text_of(o, "username")});
    }
  }
  return out;
}

void KvSharedBusStore::insert_bus(const sharing::BusRow& bus, const sharing::MembershipRow& owner) {
  // A bus id is 128 random bits: a create that conflicts is a bug, not a race.
  const nats::KvWrite write =
      cluster::blocking_call(bucket_.create(bus_key(bus.bus_id), bus_text(bus, {owner.username})));
  if (std::holds_alternative<nats::KvConflict>(write)) {
    throw std::runtime_error("shared bus " + bus.bus_id + " exists already");
  }
  const std::uint64_t revision = cluster::blocking_call(
      bucket_.put(member_key(owner.bus_id, owner.username), member_text(owner)));
  await_mirror(revision);
}

void KvSharedBusStore::archive_bus(std::string_view bus_id, double /*now*/) {
  const std::string key = bus_key(bus_id);
  for (;;) {
    const auto entry = bucket_.get_now(key);
    if (!entry) return;
    const json::object o = parse_object(entry->value);
    sharing::BusRow row = bus_row_of(o);
    row.archived = true;
    const nats::KvWrite write =
        cluster::blocking_call(bucket_.update(key, bus_text(row, owners_of(o)), entry->revision));
    if (const auto* written = std::get_if<nats::KvWritten>(&write)) {
      await_mirror(written->revision);
      return;
    }
  }
}

bool KvSharedBusStore::change_owners(std::string_view bus_id, std::string_view username,
                                     bool owner) {
  const std::string key = bus_key(bus_id);
  for (;;) {
    const auto entry = bucket_.get_now(key);
    if (!entry) return true;
    const json::object o = parse_object(entry->value);
    const sharing::BusRow row = bus_row_of(o);
    std::vector<std::string> owners = owners_of(o);
    const auto it = std::find(owners.begin(), owners.end(), username);
    const bool listed = it != owners.end();
    if (listed == owner) return true;  // nothing to change
    if (owner) {
      owners.emplace_back(username);
    } else {
      owners.erase(it);
      if (owners.empty() && !row.archived) return false;
    }
    const nats::KvWrite write =
        cluster::blocking_call(bucket_.update(key, bus_text(row, owners), entry->revision));
    if (std::holds_alternative<nats::KvWritten>(write)) return true;
    // Another node changed the bus meanwhile: read again and decide again.
  }
}

bool KvSharedBusStore::put_membership(const sharing::MembershipRow& membership) {
  if (!change_owners(membership.bus_id, membership.username, membership.role == BusRole::owner)) {
    return false;
  }
  const std::uint64_t revision = cluster::blocking_call(
      bucket_.put(member_key(membership.bus_id, membership.username), member_text(membership)));
  await_mirror(revision);
  return true;
}

bool KvSharedBusStore::delete_membership(std::string_view bus_id, std::string_view username) {
  if (!change_owners(bus_id, username, false)) return false;
  cluster::blocking_call(bucket_.erase(member_key(bus_id, username)));
  // The member's client uuids there go with them.
  const std::string clients = std::string(kClientPrefix) + token(bus_id) + ".";
  for (const nats::KvEntry& entry : mirror_->entries()) {
    if (!entry.key.starts_with(clients)) continue;
    if (text_of(parse_object(entry.value), "username") != username) continue;
    cluster::blocking_call(bucket_.erase(entry.key));
  }
  await_gone(member_key(bus_id, username));
  return true;
}

void KvSharedBusStore::insert_invitation(const sharing::InvitationRow& invitation, double /*now*/) {
  const std::uint64_t revision = cluster::blocking_call(
      bucket_.put(invitation_key(invitation.code_hash), invitation_text(invitation)));
  await_mirror(revision);
}

void KvSharedBusStore::drop_invitations_expired_by(double cutoff) {
  for (const nats::KvEntry& entry : mirror_->entries()) {
    if (!entry.key.starts_with(kInvitePrefix)) continue;
    if (invitation_of(parse_object(entry.value)).expires_at > cutoff) continue;
    // A purge, not a delete: the rollup leaves one headers-only marker of
    // the key in the bucket's stream, never its value.
    cluster::blocking_call(bucket_.purge(entry.key));
  }
}

bool KvSharedBusStore::accept_invitation(std::string_view code_hash,
                                         const sharing::MembershipRow& membership, double /*now*/) {
  const std::string key = invitation_key(code_hash);
  const auto entry = bucket_.get_now(key);
  if (!entry) return false;
  sharing::InvitationRow inv = invitation_of(parse_object(entry->value));
  if (inv.used) return false;
  inv.used = true;
  // The one-use rule: of two accepts racing on two nodes, one write wins.
  const nats::KvWrite write =
      cluster::blocking_call(bucket_.update(key, invitation_text(inv), entry->revision));
  if (std::holds_alternative<nats::KvConflict>(write)) return false;
  return put_membership(membership);
}

bool KvSharedBusStore::put_client_owner(const sharing::ClientOwnerRow& owner) {
  const std::string key = client_key(owner.bus_id, owner.client_uuid);
  for (;;) {
    const nats::KvWrite write = cluster::blocking_call(bucket_.create(key, client_text(owner)));
    if (const auto* written = std::get_if<nats::KvWritten>(&write)) {
      await_mirror(written->revision);
      return true;
    }
    const auto entry = bucket_.get_now(key);
    if (!entry) continue;  // released meanwhile: try again
    return text_of(parse_object(entry->value), "username") == owner.username;
  }
}

void KvSharedBusStore::delete_client_owner(std::string_view bus_id, std::string_view client_uuid) {
  const std::string key = client_key(bus_id, client_uuid);
  cluster::blocking_call(bucket_.erase(key));
  await_gone(key);
}

}  // namespace blender_bus::sharing_kv
