#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace blender_bus::sharing {

// A member's role on a shared bus.
enum class BusRole { owner, member, guest };

// What a call does on a bus, as the role table (below) names it.
enum class BusAction {
  register_client,    // register or re-register one's own client
  unregister_client,  // unregister one's own client
  receive,            // pull records, read job status, open an inbox listen
  job_update,
  list_clients,  // the list tool and the clients and stats resources
  send_message,
  invite,
  remove_member,
  set_role,
  list_members,
  leave,
};

// One row of the role table: the action's name (in "forbidden: <role>
// cannot <action>") and whether each role may do it.
struct RolePermission {
  BusAction action;
  std::string_view name;
  bool owner;
  bool member;
  bool guest;
};

// The role table as data: every action once, in the enum's order. The one
// authorization check (tools/bus_access) reads it; nothing else decides.
inline constexpr std::array<RolePermission, 11> kRoleTable{{
    {BusAction::register_client, "register_client", true, true, true},
    {BusAction::unregister_client, "unregister_client", true, true, true},
    {BusAction::receive, "receive", true, true, true},
    {BusAction::job_update, "job_update", true, true, true},
    {BusAction::list_clients, "list_clients", true, true, true},
    {BusAction::send_message, "send_message", true, true, false},
    {BusAction::invite, "invite", true, false, false},
    {BusAction::remove_member, "remove_member", true, false, false},
    {BusAction::set_role, "set_role", true, false, false},
    {BusAction::list_members, "list_members", true, false, false},
    {BusAction::leave, "leave", true, true, true},
}};

bool permits(BusRole role, BusAction action);
std::string_view action_name(BusAction action);
std::string_view role_name(BusRole role);
// "owner", "member" or "guest"; anything else: nullopt.
std::optional<BusRole> parse_role(std::string_view name);

}  // namespace blender_bus::sharing
