#pragma once

#include <atomic>
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "delivery/bus_id.hpp"
#include "sharing/bus_memberships.hpp"
#include "sharing/bus_role.hpp"

namespace blender_bus::tools {

// The bus a call may act on, as the check granted it.
struct BusGrant {
  delivery::BusId bus;                   // the delivery engine's key
  std::string wire_id;                   // the "bus_id" clients see
  std::optional<sharing::BusRole> role;  // nullopt: the caller's personal bus
  bool shared() const { return role.has_value(); }
};

// A refused call's whole answer: {"status":"error","error":…}.
using BusRefusal = boost::json::object;

// The one authorization check every tool and resource that acts on a bus
// goes through (a unit test calls every registered bus tool and counts).
// No bus_id, or the caller's own user id, is the personal bus, where the
// caller may do everything, exactly as before shared buses. Any other id is
// looked up in memory (BusMemberships; never the store): a caller who is not
// a member gets "bus not found", as for a bus that does not exist, so
// existence does not leak; a member whose role the table (sharing/bus_role)
// refuses gets "forbidden: <role> cannot <action>". Thread-safe.
class BusAccess {
 public:
  // `memberships` null: personal buses only (every other id is not found).
  explicit BusAccess(sharing::BusMemberships* memberships) : memberships_(memberships) {}

  std::variant<BusGrant, BusRefusal> check(std::string_view user,
                                           const std::optional<std::string>& bus_id,
                                           sharing::BusAction action) const;

  // On a shared bus a client uuid belongs to the member who registered it
  // first: another member may not re-register, unregister, pull or send as
  // it. nullopt: `user` may use `client_uuid` (always, on a personal bus).
  std::optional<BusRefusal> check_client(const BusGrant& grant, std::string_view user,
                                         std::string_view client_uuid) const;

  // A channel that stays open on a shared bus (a listen, a streaming
  // receive) checks its grant again whenever it is woken: the member may have
  // been removed, or the uuid passed to another member, since it opened. Runs
  // check() and check_client(); nullopt: still granted (always, on a
  // personal bus, without a check).
  std::optional<BusRefusal> check_again(const BusGrant& grant, std::string_view user,
                                        sharing::BusAction action,
                                        std::string_view client_uuid) const;

  // How many checks ran (the test that every bus tool goes through it).
  std::uint64_t checks() const { return checks_.load(std::memory_order_relaxed); }
  sharing::BusMemberships* memberships() const { return memberships_; }

 private:
  sharing::BusMemberships* memberships_;
  mutable std::atomic<std::uint64_t> checks_{0};
};

// {"status":"error","error":<error>}
BusRefusal bus_error(std::string_view error);

// A resource uri's rest split at its "?bus_id=" (nullopt: none given).
struct BusOnUri {
  std::string_view path;
  std::optional<std::string> bus_id;
};
BusOnUri split_bus_id(std::string_view rest);

// A result on a shared bus names it: "user_id" (a view's) is the caller's,
// and "bus_id" follows the result's own keys. A personal bus's results stay
// exactly as they are.
void shown_on(const BusGrant& grant, std::string_view user, boost::json::object& result);

}  // namespace blender_bus::tools
