#pragma once

#include <chrono>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "bus/clock.hpp"
#include "bus/random_source.hpp"
#include "sharing/bus_role.hpp"
#include "sharing/shared_bus_rows.hpp"
#include "sharing/shared_bus_storage.hpp"

namespace blender_bus::sharing {

// A bus as one of its members sees it.
struct BusView {
  std::string bus_id;
  std::string name;
  BusRole role = BusRole::guest;
};

struct MemberView {
  std::string username;
  BusRole role = BusRole::guest;
  double joined_at = 0;
};

// An invitation as the owner hands it on: the code is shown once, here.
struct InvitationView {
  std::string code;
  std::string bus_id;
  std::string username;
  BusRole role = BusRole::guest;
  double expires_at = 0;
};

// An answer, or the error a tool returns as {"status":"error","error":…}.
template <class T>
using Answer = std::variant<T, std::string>;

// What a user's deletion did to one shared bus.
struct LeftBus {
  std::string bus_id;
  std::vector<std::string> client_uuids;  // the user's clients there, to take off the bus
  bool archived = false;                  // no owner was left: nobody reads it any more
};

// The shared buses, their memberships, invitations and who owns each client
// uuid, held in memory (every call's check reads only memory: one shared
// lock and two hash lookups) and written through to `store` when one is
// given. Authorization is not decided here (tools/bus_access reads the role
// table); these are the model's own rules: an invitation is for one username,
// used once, valid for `invitation_lifetime` (and forgotten, in memory and in
// the store, when an invitation is made a day or more after it expired); a
// bus keeps at least one owner.
// Thread-safe.
class BusMemberships {
 public:
  static constexpr std::chrono::seconds kDefaultInvitationLifetime{7 * 24 * 3600};

  BusMemberships(SharedBusStorage* store, bus::Clock clock, bus::RandomSource random,
                 std::chrono::seconds invitation_lifetime = kDefaultInvitationLifetime);
  BusMemberships(const BusMemberships&) = delete;
  BusMemberships& operator=(const BusMemberships&) = delete;

  // Reads everything back from the store (at start, when another process
  // such as `blender-bus bus …` changed it, and on a cluster node when its
  // mirror of the cluster's KV changed). Answers, per bus, the clients
  // whose member is no longer on it (to take off the bus).
  std::vector<LeftBus> reload();

  // The user's role on the bus; nullopt when they are not a member, the bus
  // does not exist or it is archived (the three look the same to a caller).
  std::optional<BusRole> role_of(std::string_view bus_id, std::string_view username) const;

  BusView create(std::string_view owner, std::string_view name);
  // The user's shared buses (archived ones left out), by name.
  std::vector<BusView> buses_of(std::string_view username) const;
  Answer<InvitationView> invite(std::string_view bus_id, std::string_view by,
                                std::string_view username, BusRole role);
  Answer<BusView> join(std::string_view username, std::string_view code);
  std::vector<MemberView> members(std::string_view bus_id) const;
  // Answers the uuids of the removed member's clients (to take off the bus).
  Answer<std::vector<std::string>> remove_member(std::string_view bus_id,
                                                 std::string_view username);
  Answer<MemberView> set_role(std::string_view bus_id, std::string_view username, BusRole role);
  // As remove_member, for oneself; the last owner cannot leave.
  Answer<std::vector<std::string>> leave(std::string_view bus_id, std::string_view username);
  // The user was deleted: out of every bus; a bus they owned passes to
  // another owner, or is archived when none is left.
  std::vector<LeftBus> remove_user(std::string_view username);

  // --- Client uuids on a shared bus (unique within the bus) ---
  // The member who registered `client_uuid` there, if anyone did.
  std::optional<std::string> client_owner(std::string_view bus_id,
                                          std::string_view client_uuid) const;
  // Gives the uuid to `username` unless another member holds it: false then.
  bool claim_client(std::string_view bus_id, std::string_view client_uuid,
                    std::string_view username);
  void release_client(std::string_view bus_id, std::string_view client_uuid);

  std::chrono::seconds invitation_lifetime() const { return invitation_lifetime_; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <class V>
  using StringMap = std::unordered_map<std::string, V, Hash, std::equal_to<>>;
  struct Bus {
    BusRow row;
    StringMap<MembershipRow> members;
    StringMap<std::string> client_owners;  // uuid -> username
  };

  const Bus* live_bus_locked(std::string_view bus_id) const;
  Bus* live_bus_locked(std::string_view bus_id);
  std::size_t owner_count_locked(const Bus& bus) const;
  // Takes `username` out of `bus`: returns their clients' uuids, or nullopt
  // when the store refused (the bus would have no owner left).
  std::optional<std::vector<std::string>> drop_member_locked(Bus& bus, std::string_view username);
  std::string random_hex(std::size_t bytes) const;

  SharedBusStorage* store_;
  const bus::Clock clock_;
  const bus::RandomSource random_;
  const std::chrono::seconds invitation_lifetime_;
  mutable std::shared_mutex mutex_;
  StringMap<Bus> buses_;
  StringMap<InvitationRow> invitations_;  // by code hash
};

}  // namespace blender_bus::sharing
