#include "sharing/bus_memberships.hpp"

#include <sodium.h>

#include <algorithm>
#include <mutex>

namespace blender_bus::sharing {

namespace {

constexpr std::string_view kLastOwner = "the last owner cannot leave until ownership is passed on";

std::string hex(std::span<const unsigned char> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xF]);
  }
  return out;
}

std::string code_hash(std::string_view code) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(code.data()),
                     code.size());
  return hex(digest);
}

// Built by appending: GCC 12 warns falsely (-Wrestrict) on "'" + std::string.
std::string quoted_user(std::string_view username, std::string_view rest) {
  std::string out;
  out.reserve(username.size() + rest.size() + 2);
  out.push_back('\'');
  out.append(username);
  out.push_back('\'');
  out.append(rest);
  return out;
}

std::string not_a_member(std::string_view username) {
  return quoted_user(username, " is not a member of this bus");
}

std::string already_a_member(std::string_view username) {
  return quoted_user(username, " is already a member of this bus");
}

}  // namespace

BusMemberships::BusMemberships(SharedBusStorage* store, bus::Clock clock, bus::RandomSource random,
                               std::chrono::seconds invitation_lifetime)
    : store_(store),
      clock_(std::move(clock)),
      random_(std::move(random)),
      invitation_lifetime_(invitation_lifetime) {
  reload();
}

std::vector<LeftBus> BusMemberships::reload() {
  if (!store_) return {};
  // Read under the lock: a write this process makes meanwhile (it returns
  // once the store shows it) is then in the snapshot, never overwritten by
  // an older one. Reloads are rare (another writer changed the store).
  std::unique_lock lock(mutex_);
  SharedBusSnapshot snapshot = store_->load(clock_());
  StringMap<Bus> buses;
  for (auto& row : snapshot.buses) {
    std::string id = row.bus_id;
    buses[id].row = std::move(row);
  }
  for (auto& m : snapshot.memberships) {
    auto it = buses.find(m.bus_id);
    if (it != buses.end()) it->second.members[m.username] = std::move(m);
  }
  for (auto& o : snapshot.client_owners) {
    auto it = buses.find(o.bus_id);
    if (it != buses.end()) it->second.client_owners[o.client_uuid] = std::move(o.username);
  }
  StringMap<InvitationRow> invitations;
  for (auto& inv : snapshot.invitations) {
    std::string hash = inv.code_hash;
    invitations[hash] = std::move(inv);
  }
  std::vector<LeftBus> left;
  for (const auto& [id, old] : buses_) {
    auto now = buses.find(id);
    LeftBus gone{id, {}, now != buses.end() && now->second.row.archived};
    for (const auto& [uuid, username] : old.client_owners) {
      const bool stays =
          now != buses.end() && !now->second.row.archived && now->second.members.contains(username);
      if (!stays) gone.client_uuids.push_back(uuid);
    }
    if (!gone.client_uuids.empty()) left.push_back(std::move(gone));
  }
  buses_ = std::move(buses);
  invitations_ = std::move(invitations);
  return left;
}

const BusMemberships::Bus* BusMemberships::live_bus_locked(std::string_view bus_id) const {
  auto it = buses_.find(bus_id);
  if (it == buses_.end() || it->second.row.archived) return nullptr;
  return &it->second;
}

BusMemberships::Bus* BusMemberships::live_bus_locked(std::string_view bus_id) {
  auto it = buses_.find(bus_id);
  if (it == buses_.end() || it->second.row.archived) return nullptr;
  return &it->second;
}

std::size_t BusMemberships::owner_count_locked(const Bus& bus) const {
  return static_cast<std::size_t>(
      std::count_if(bus.members.begin(), bus.members.end(),
                    [](const auto& m) { return m.second.role == BusRole::owner; }));
}

std::string BusMemberships::random_hex(std::size_t bytes) const {
  std::vector<unsigned char> raw(bytes);
  random_(raw);
  return hex(raw);
}

std::optional<BusRole> BusMemberships::role_of(std::string_view bus_id,
                                               std::string_view username) const {
  std::shared_lock lock(mutex_);
  const Bus* bus = live_bus_locked(bus_id);
  if (!bus) return std::nullopt;
  auto it = bus->members.find(username);
  if (it == bus->members.end()) return std::nullopt;
  return it->second.role;
}

BusView BusMemberships::create(std::string_view owner, std::string_view name) {
  const double now = clock_();
  BusRow row{"bus_" + random_hex(16), std::string(name), std::string(owner), now, false};
  MembershipRow membership{row.bus_id, std::string(owner), BusRole::owner, now};
  std::unique_lock lock(mutex_);
  if (store_) store_->insert_bus(row, membership);
  Bus& bus = buses_[row.bus_id];
  bus.row = row;
  bus.members[membership.username] = membership;
  return {row.bus_id, row.name, BusRole::owner};
}

std::vector<BusView> BusMemberships::buses_of(std::string_view username) const {
  std::vector<BusView> out;
  {
    std::shared_lock lock(mutex_);
    for (const auto& [id, bus] : buses_) {
      if (bus.row.archived) continue;
      auto it = bus.members.find(username);
      if (it != bus.members.end()) out.push_back({id, bus.row.name, it->second.role});
    }
  }
  std::sort(out.begin(), out.end(), [](const BusView& a, const BusView& b) {
    return std::tie(a.name, a.bus_id) < std::tie(b.name, b.bus_id);
  });
  return out;
}

Answer<InvitationView> BusMemberships::invite(std::string_view bus_id, std::string_view by,
                                              std::string_view username, BusRole role) {
  const double now = clock_();
  InvitationView view{"inv_" + random_hex(24), std::string(bus_id), std::string(username), role,
                      now + static_cast<double>(invitation_lifetime_.count())};
  InvitationRow row{code_hash(view.code), view.bus_id,     view.username, role,
                    std::string(by),      view.expires_at, false};
  std::unique_lock lock(mutex_);
  const Bus* bus = live_bus_locked(bus_id);
  if (!bus) return std::string("bus not found");
  if (bus->members.contains(username)) {
    return already_a_member(username);
  }
  // The invitations only grow here, so here the ones past their kept day go
  // (a store that several processes share may hold some this one never read).
  const double cutoff = now - kExpiredInvitationKeptSeconds;
  if (store_) store_->drop_invitations_expired_by(cutoff);
  std::erase_if(invitations_,
                [cutoff](const auto& entry) { return entry.second.expires_at <= cutoff; });
  if (store_) store_->insert_invitation(row, now);
  invitations_[row.code_hash] = std::move(row);
  return view;
}

Answer<BusView> BusMemberships::join(std::string_view username, std::string_view code) {
  const double now = clock_();
  const std::string hash = code_hash(code);
  std::unique_lock lock(mutex_);
  auto it = invitations_.find(hash);
  if (it == invitations_.end()) return std::string("invitation not found");
  InvitationRow& inv = it->second;
  // Another user's code is refused without being used up, so its invitee
  // can still accept it.
  if (inv.username != username) return std::string("invitation is for another user");
  if (inv.used) return std::string("invitation already used");
  if (inv.expires_at <= now) return std::string("invitation expired");
  Bus* bus = live_bus_locked(inv.bus_id);
  if (!bus) return std::string("bus not found");
  auto member = bus->members.find(username);
  if (member != bus->members.end()) {
    return already_a_member(username);
  }
  MembershipRow membership{inv.bus_id, std::string(username), inv.role, now};
  if (store_ && !store_->accept_invitation(hash, membership, now)) {
    inv.used = true;
    return std::string("invitation already used");
  }
  inv.used = true;
  bus->members[membership.username] = membership;
  return BusView{bus->row.bus_id, bus->row.name, membership.role};
}

std::vector<MemberView> BusMemberships::members(std::string_view bus_id) const {
  std::vector<MemberView> out;
  {
    std::shared_lock lock(mutex_);
    const Bus* bus = live_bus_locked(bus_id);
    if (!bus) return out;
    for (const auto& [name, m] : bus->members) out.push_back({name, m.role, m.joined_at});
  }
  std::sort(out.begin(), out.end(), [](const MemberView& a, const MemberView& b) {
    return std::tie(a.joined_at, a.username) < std::tie(b.joined_at, b.username);
  });
  return out;
}

std::optional<std::vector<std::string>> BusMemberships::drop_member_locked(
    Bus& bus, std::string_view username) {
  if (store_ && !store_->delete_membership(bus.row.bus_id, username)) return std::nullopt;
  std::vector<std::string> clients;
  for (auto it = bus.client_owners.begin(); it != bus.client_owners.end();) {
    if (it->second == username) {
      clients.push_back(it->first);
      it = bus.client_owners.erase(it);
    } else {
      ++it;
    }
  }
  bus.members.erase(bus.members.find(username));
  std::sort(clients.begin(), clients.end());
  return clients;
}

Answer<std::vector<std::string>> BusMemberships::remove_member(std::string_view bus_id,
                                                               std::string_view username) {
  std::unique_lock lock(mutex_);
  Bus* bus = live_bus_locked(bus_id);
  if (!bus) return std::string("bus not found");
  auto it = bus->members.find(username);
  if (it == bus->members.end()) return not_a_member(username);
  if (it->second.role == BusRole::owner && owner_count_locked(*bus) == 1) {
    return std::string(kLastOwner);
  }
  auto clients = drop_member_locked(*bus, username);
  if (!clients) return std::string(kLastOwner);
  return std::move(*clients);
}

Answer<MemberView> BusMemberships::set_role(std::string_view bus_id, std::string_view username,
                                            BusRole role) {
  std::unique_lock lock(mutex_);
  Bus* bus = live_bus_locked(bus_id);
  if (!bus) return std::string("bus not found");
  auto it = bus->members.find(username);
  if (it == bus->members.end()) return not_a_member(username);
  MembershipRow& m = it->second;
  if (m.role == BusRole::owner && role != BusRole::owner && owner_count_locked(*bus) == 1) {
    return std::string(kLastOwner);
  }
  MembershipRow changed = m;
  changed.role = role;
  if (store_ && !store_->put_membership(changed)) return std::string(kLastOwner);
  m.role = role;
  return MemberView{m.username, m.role, m.joined_at};
}

Answer<std::vector<std::string>> BusMemberships::leave(std::string_view bus_id,
                                                       std::string_view username) {
  return remove_member(bus_id, username);
}

std::vector<LeftBus> BusMemberships::remove_user(std::string_view username) {
  std::vector<LeftBus> out;
  const double now = clock_();
  std::unique_lock lock(mutex_);
  for (auto& [id, bus] : buses_) {
    auto it = bus.members.find(username);
    if (it == bus.members.end()) continue;
    const bool last_owner =
        it->second.role == BusRole::owner && !bus.row.archived && owner_count_locked(bus) == 1;
    LeftBus left{id, {}, false};
    if (last_owner) {
      // No owner is left to pass it to: nobody reads it from now on. First,
      // so that a store keeping a bus's owners lets the last one go.
      if (store_) store_->archive_bus(id, now);
      bus.row.archived = true;
      left.archived = true;
    }
    // A store that refuses (another node's owner stepped down meanwhile):
    // the membership stays there and its mirror puts it back here.
    if (auto clients = drop_member_locked(bus, username)) left.client_uuids = std::move(*clients);
    out.push_back(std::move(left));
  }
  for (auto it = invitations_.begin(); it != invitations_.end();) {
    it = it->second.username == username ? invitations_.erase(it) : std::next(it);
  }
  return out;
}

std::optional<std::string> BusMemberships::client_owner(std::string_view bus_id,
                                                        std::string_view client_uuid) const {
  std::shared_lock lock(mutex_);
  auto bus = buses_.find(bus_id);
  if (bus == buses_.end()) return std::nullopt;
  auto it = bus->second.client_owners.find(client_uuid);
  if (it == bus->second.client_owners.end()) return std::nullopt;
  return it->second;
}

bool BusMemberships::claim_client(std::string_view bus_id, std::string_view client_uuid,
                                  std::string_view username) {
  std::unique_lock lock(mutex_);
  Bus* bus = live_bus_locked(bus_id);
  if (!bus) return false;
  auto it = bus->client_owners.find(client_uuid);
  if (it != bus->client_owners.end()) return it->second == username;
  if (store_ && !store_->put_client_owner(
                    {std::string(bus_id), std::string(client_uuid), std::string(username)})) {
    return false;
  }
  bus->client_owners.emplace(std::string(client_uuid), std::string(username));
  return true;
}

void BusMemberships::release_client(std::string_view bus_id, std::string_view client_uuid) {
  std::unique_lock lock(mutex_);
  auto bus = buses_.find(bus_id);
  if (bus == buses_.end()) return;
  auto it = bus->second.client_owners.find(client_uuid);
  if (it == bus->second.client_owners.end()) return;
  if (store_) store_->delete_client_owner(bus_id, client_uuid);
  bus->second.client_owners.erase(it);
}

}  // namespace blender_bus::sharing
