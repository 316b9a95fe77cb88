// blender_bus_*: creating shared buses, inviting to them, and managing who
// is on them (README "Shared buses"). The tools that name a bus go through
// the one check (BusAccess); creating, listing one's buses and joining with
// a code name none.
#include <boost/json/array.hpp>

#include "tools/bus_access.hpp"
#include "tools/bus_schemas.hpp"
#include "tools/bus_tools.hpp"
#include "tools/sync_handlers.hpp"
#include "tools/tool_arguments.hpp"

namespace blender_bus::tools {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr std::string_view kPersonalBus = "a personal bus has no members to manage";

json::object bus_json(const sharing::BusView& bus) {
  return {{"bus_id", bus.bus_id}, {"name", bus.name}, {"role", sharing::role_name(bus.role)}};
}

json::object ok_with(std::string_view key, json::value value) {
  json::object out;
  out["status"] = "ok";
  out[key] = std::move(value);
  return out;
}

mcp::ToolResult answer(json::object result) {
  return mcp::ToolResult::json(std::move(result));
}

// Runs a management tool's check: the grant, or the refusal's result.
std::variant<BusGrant, mcp::ToolResult> managed_bus(const BusAccess& access, mcp::CallContext& ctx,
                                                    const json::object& args,
                                                    sharing::BusAction action) {
  auto checked = access.check(ctx.user_id(), string_arg(args, "bus_id"), action);
  if (auto* refusal = std::get_if<BusRefusal>(&checked)) return answer(std::move(*refusal));
  BusGrant grant = std::get<BusGrant>(std::move(checked));
  if (!grant.shared()) return answer(bus_error(kPersonalBus));
  return grant;
}

mcp::ToolDefinition tool(std::string name, std::string description, json::object schema,
                         mcp::ToolHandler handler) {
  return {std::move(name), std::move(description), std::move(schema), std::move(handler),
          mcp::text_result_output_schema()};
}

// The removed member's clients leave the bus at once (their streams stop,
// their pending records go).
asio::awaitable<mcp::ToolResult> take_off(delivery::BusService& service, const BusGrant& grant,
                                          sharing::Answer<std::vector<std::string>> removed,
                                          json::object ok) {
  if (auto* error = std::get_if<std::string>(&removed)) co_return answer(bus_error(*error));
  auto& clients = std::get<std::vector<std::string>>(removed);
  json::array uuids(clients.begin(), clients.end());
  // Named first: a copy made inside a co_await expression (GCC 12, PR 100611).
  delivery::BusId bus = grant.bus;
  co_await service.remove_clients(std::move(bus), std::move(clients));
  ok["removed_clients"] = std::move(uuids);
  co_return answer(std::move(ok));
}

asio::awaitable<mcp::ToolResult> remove_member(delivery::BusService& service,
                                               const BusAccess& access, mcp::CallContext& ctx,
                                               const json::object& args) {
  auto managed = managed_bus(access, ctx, args, sharing::BusAction::remove_member);
  if (auto* refusal = std::get_if<mcp::ToolResult>(&managed)) co_return std::move(*refusal);
  const BusGrant grant = std::get<BusGrant>(std::move(managed));
  const std::string username = string_arg(args, "username");
  json::object ok{{"status", "ok"}, {"bus_id", grant.wire_id}, {"username", username}};
  co_return co_await take_off(
      service, grant, access.memberships()->remove_member(grant.wire_id, username), std::move(ok));
}

asio::awaitable<mcp::ToolResult> leave(delivery::BusService& service, const BusAccess& access,
                                       mcp::CallContext& ctx, const json::object& args) {
  auto checked = access.check(ctx.user_id(), string_arg(args, "bus_id"), sharing::BusAction::leave);
  if (auto* refusal = std::get_if<BusRefusal>(&checked)) co_return answer(std::move(*refusal));
  const BusGrant grant = std::get<BusGrant>(std::move(checked));
  if (!grant.shared()) co_return answer(bus_error("you cannot leave your personal bus"));
  json::object ok{{"status", "ok"}, {"bus_id", grant.wire_id}};
  co_return co_await take_off(
      service, grant, access.memberships()->leave(grant.wire_id, ctx.user_id()), std::move(ok));
}

}  // namespace

std::vector<mcp::ToolDefinition> make_shared_bus_tools(delivery::BusService& service,
                                                       const BusAccess& access) {
  sharing::BusMemberships& buses = *access.memberships();
  std::vector<mcp::ToolDefinition> out;
  out.push_back(tool(
      "blender_bus_create",
      "Create a shared bus, with you as its owner: "
      "{\"status\":\"ok\",\"bus\":{\"bus_id\",\"name\",\"role\":\"owner\"}}. Invite others "
      "with blender_bus_invite; pass bus_id to the bus tools to act on it.",
      bus_create_schema(), sync_tool([&buses](mcp::CallContext& ctx, const json::object& args) {
        return answer(
            ok_with("bus", bus_json(buses.create(ctx.user_id(), string_arg(args, "name")))));
      })));
  out.push_back(
      tool("blender_bus_list",
           "Your buses and your role on each, your personal bus first: "
           "{\"status\":\"ok\",\"buses\":[{\"bus_id\",\"name\",\"role\",\"personal\"}…]}.",
           bus_list_schema(), sync_tool([&buses](mcp::CallContext& ctx, const json::object&) {
             json::array list;
             list.push_back({{"bus_id", ctx.user_id()},
                             {"name", ctx.user_id()},
                             {"role", "owner"},
                             {"personal", true}});
             for (const auto& bus : buses.buses_of(ctx.user_id())) {
               json::object entry = bus_json(bus);
               entry["personal"] = false;
               list.push_back(std::move(entry));
             }
             return answer(ok_with("buses", std::move(list)));
           })));
  out.push_back(tool(
      "blender_bus_invite",
      "Owner only: invite a user to a shared bus as member or guest. The code is for that "
      "username only, works once and expires (7 days unless the server says otherwise): "
      "{\"status\":\"ok\",\"invitation\":{\"code\",\"bus_id\",\"username\",\"role\","
      "\"expires_at\"}}.",
      bus_invite_schema(),
      sync_tool([&access, &buses](mcp::CallContext& ctx, const json::object& args) {
        auto managed = managed_bus(access, ctx, args, sharing::BusAction::invite);
        if (auto* refusal = std::get_if<mcp::ToolResult>(&managed)) return std::move(*refusal);
        const BusGrant& grant = std::get<BusGrant>(managed);
        const auto role = sharing::parse_role(string_arg(args, "role"));
        auto invited = buses.invite(grant.wire_id, ctx.user_id(), string_arg(args, "username"),
                                    role.value_or(sharing::BusRole::guest));
        if (auto* error = std::get_if<std::string>(&invited)) return answer(bus_error(*error));
        const auto& inv = std::get<sharing::InvitationView>(invited);
        return answer(ok_with("invitation", json::object{{"code", inv.code},
                                                         {"bus_id", inv.bus_id},
                                                         {"username", inv.username},
                                                         {"role", sharing::role_name(inv.role)},
                                                         {"expires_at", inv.expires_at}}));
      })));
  out.push_back(
      tool("blender_bus_join",
           "Accept an invitation: {\"status\":\"ok\",\"bus\":{\"bus_id\",\"name\",\"role\"}}.",
           bus_join_schema(), sync_tool([&buses](mcp::CallContext& ctx, const json::object& args) {
             auto joined = buses.join(ctx.user_id(), string_arg(args, "code"));
             if (auto* error = std::get_if<std::string>(&joined)) return answer(bus_error(*error));
             return answer(ok_with("bus", bus_json(std::get<sharing::BusView>(joined))));
           })));
  out.push_back(
      tool("blender_bus_members",
           "Owner only: who is on a shared bus: {\"status\":\"ok\",\"bus_id\",\"members\":"
           "[{\"username\",\"role\",\"joined_at\"}…]}.",
           bus_members_schema(),
           sync_tool([&access, &buses](mcp::CallContext& ctx, const json::object& args) {
             auto managed = managed_bus(access, ctx, args, sharing::BusAction::list_members);
             if (auto* refusal = std::get_if<mcp::ToolResult>(&managed)) return std::move(*refusal);
             const BusGrant& grant = std::get<BusGrant>(managed);
             json::array members;
             for (const auto& m : buses.members(grant.wire_id)) {
               members.push_back({{"username", m.username},
                                  {"role", sharing::role_name(m.role)},
                                  {"joined_at", m.joined_at}});
             }
             json::object out{{"status", "ok"}, {"bus_id", grant.wire_id}};
             out["members"] = std::move(members);
             return answer(std::move(out));
           })));
  out.push_back(
      tool("blender_bus_remove_member",
           "Owner only: take a member off a shared bus at once: their clients leave it, their "
           "streams stop receiving its records and their pending records are dropped. "
           "{\"status\":\"ok\",\"bus_id\",\"username\",\"removed_clients\":[…]}.",
           bus_remove_member_schema(),
           [&service, &access](mcp::CallContext& ctx, const json::object& args) {
             return remove_member(service, access, ctx, args);
           }));
  out.push_back(tool(
      "blender_bus_set_role",
      "Owner only: change a member's role (owner, member or guest); the last owner cannot step "
      "down. {\"status\":\"ok\",\"bus_id\",\"member\":{\"username\",\"role\"}}.",
      bus_set_role_schema(),
      sync_tool([&access, &buses](mcp::CallContext& ctx, const json::object& args) {
        auto managed = managed_bus(access, ctx, args, sharing::BusAction::set_role);
        if (auto* refusal = std::get_if<mcp::ToolResult>(&managed)) return std::move(*refusal);
        const BusGrant& grant = std::get<BusGrant>(managed);
        const auto role = sharing::parse_role(string_arg(args, "role"));
        auto changed = buses.set_role(grant.wire_id, string_arg(args, "username"),
                                      role.value_or(sharing::BusRole::guest));
        if (auto* error = std::get_if<std::string>(&changed)) return answer(bus_error(*error));
        const auto& m = std::get<sharing::MemberView>(changed);
        json::object out{{"status", "ok"}, {"bus_id", grant.wire_id}};
        out["member"] =
            json::object{{"username", m.username}, {"role", sharing::role_name(m.role)}};
        return answer(std::move(out));
      })));
  out.push_back(tool(
      "blender_bus_leave",
      "Leave a shared bus (your clients leave it too); the last owner must pass ownership on "
      "first. {\"status\":\"ok\",\"bus_id\",\"removed_clients\":[…]}.",
      bus_leave_schema(), [&service, &access](mcp::CallContext& ctx, const json::object& args) {
        return leave(service, access, ctx, args);
      }));
  return out;
}

}  // namespace blender_bus::tools
