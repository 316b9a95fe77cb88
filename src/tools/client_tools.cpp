// blender_register_client, blender_unregister_client and
// blender_list_available_clients: the tools that manage who is on a bus.
#include "bus/requests.hpp"
#include "tools/bus_access.hpp"
#include "tools/bus_schemas.hpp"
#include "tools/bus_tools.hpp"
#include "tools/sync_handlers.hpp"
#include "tools/tool_arguments.hpp"
#include "tools/tool_result.hpp"

namespace blender_bus::tools {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kRegistrationNotStored =
    "the registration could not be stored, so it was undone; try again";

asio::awaitable<mcp::ToolResult> register_client(delivery::BusService& service,
                                                 const BusAccess& access,
                                                 delivery::ModernChannels* channels,
                                                 mcp::CallContext& ctx,
                                                 const boost::json::object& args) {
  auto checked = access.check(ctx.user_id(), nullable_string_arg(args, "bus_id"),
                              sharing::BusAction::register_client);
  if (auto* refusal = std::get_if<BusRefusal>(&checked)) co_return mcp::ToolResult::json(*refusal);
  BusGrant grant = std::get<BusGrant>(std::move(checked));
  bus::Registration r;
  r.client_uuid = string_arg(args, "client_uuid");
  r.client_type = string_arg(args, "client_type");
  r.is_persistent = bool_arg_or(args, "is_persistent", false);
  r.capabilities = string_list_arg(args, "capabilities");
  r.group_id = nullable_string_arg(args, "group_id");
  r.label = nullable_string_arg(args, "label");
  r.user_id = ctx.user_id();
  // A uuid on a shared bus is its first registrant's (unique within the bus).
  bool claimed = false;
  if (grant.shared()) {
    if (auto refusal = access.check_client(grant, ctx.user_id(), r.client_uuid)) {
      co_return mcp::ToolResult::json(*refusal);
    }
    claimed = !access.memberships()->client_owner(grant.wire_id, r.client_uuid);
    if (!access.memberships()->claim_client(grant.wire_id, r.client_uuid, ctx.user_id())) {
      co_return mcp::ToolResult::json(
          bus_error("client_uuid belongs to another member of this bus"));
    }
  }
  const std::string client_uuid = r.client_uuid;
  mcp::SessionPtr binding = ctx.session;
  if (ctx.modern && channels) {
    // No session to bind to: the client is bound to its delivery channels
    // on the bus it joins (a listen or streaming receive with the same bus_id).
    binding = std::make_shared<mcp::Session>(
        delivery::ModernChannels::binding_id(grant.bus, r.client_uuid), ctx.user_id());
    channels->bound(grant.bus, r.client_uuid);
  }
  // Moved, not copied: a copy made inside the co_await expression is released
  // twice by GCC 12 (PR 100611), which a session living for one request shows.
  delivery::Settled done =
      co_await service.register_client(std::move(grant.bus), std::move(binding), std::move(r));
  if (claimed && (done.rejected || !done.stored)) {
    access.memberships()->release_client(grant.wire_id, client_uuid);
  }
  shown_on(grant, ctx.user_id(), done.result);
  co_return settled_result(done, kRegistrationNotStored);
}

asio::awaitable<mcp::ToolResult> unregister_client(delivery::BusService& service,
                                                   const BusAccess& access, mcp::CallContext& ctx,
                                                   const boost::json::object& args) {
  auto checked = access.check(ctx.user_id(), nullable_string_arg(args, "bus_id"),
                              sharing::BusAction::unregister_client);
  if (auto* refusal = std::get_if<BusRefusal>(&checked)) co_return mcp::ToolResult::json(*refusal);
  BusGrant grant = std::get<BusGrant>(std::move(checked));
  std::string uuid = string_arg(args, "client_uuid");
  if (auto refusal = access.check_client(grant, ctx.user_id(), uuid)) {
    co_return mcp::ToolResult::json(*refusal);
  }
  // The client is off the bus, and still in the store: unregistering it
  // again (not_found then) removes it there too.
  delivery::Settled done = co_await service.unregister_client(std::move(grant.bus), uuid);
  if (grant.shared() && done.stored) access.memberships()->release_client(grant.wire_id, uuid);
  shown_on(grant, ctx.user_id(), done.result);
  co_return settled_result(
      done,
      "the unregistration could not be stored, and the client may come back after a restart; "
      "unregister it again");
}

}  // namespace

mcp::ToolDefinition make_register_client_tool(delivery::BusService& service,
                                              const BusAccess& access,
                                              delivery::ModernChannels* channels) {
  return {
      "blender_register_client",
      "Join your bus, or update your registration in place. Binds the client to this MCP "
      "session: messages for it arrive here as notifications/message on logger _message_bus "
      "(and wait in its inbox while no stream is open). Under MCP 2026-07-28 (no session) "
      "they wait in its inbox: subscriptions/listen on blender://bus/inbox/<client_uuid>, "
      "then blender_receive_messages. Returns {\"status\":\"ok\",\"client\":{…}}.",
      with_bus_id(register_client_schema(service.limits())),
      [&service, &access, channels](mcp::CallContext& ctx, const boost::json::object& args) {
        return register_client(service, access, channels, ctx, args);
      },
      mcp::text_result_output_schema(),
  };
}

mcp::ToolDefinition make_unregister_client_tool(delivery::BusService& service,
                                                const BusAccess& access) {
  return {
      "blender_unregister_client",
      "Leave your bus. Idempotent: returns {\"status\":\"ok\"|\"not_found\",\"client_uuid\"}.",
      with_bus_id(unregister_client_schema(service.limits())),
      [&service, &access](mcp::CallContext& ctx, const boost::json::object& args) {
        return unregister_client(service, access, ctx, args);
      },
      mcp::text_result_output_schema(),
  };
}

mcp::ToolDefinition make_list_available_clients_tool(delivery::BusService& service,
                                                     const BusAccess& access) {
  return {
      "blender_list_available_clients",
      "Snapshot of your bus: {\"status\":\"ok\",\"user_id\",\"persistent\":[…],"
      "\"ephemeral\":[…]}. Each client also says whether it is online, how long ago it was "
      "last seen, whether it is stale, and its pending and dropped records.",
      with_bus_id(list_available_clients_schema()),
      sync_tool([&service, &access](mcp::CallContext& ctx, const boost::json::object& args) {
        auto checked = access.check(ctx.user_id(), nullable_string_arg(args, "bus_id"),
                                    sharing::BusAction::list_clients);
        if (auto* refusal = std::get_if<BusRefusal>(&checked))
          return mcp::ToolResult::json(*refusal);
        const BusGrant& grant = std::get<BusGrant>(checked);
        boost::json::object out = service.list_clients(grant.bus);
        shown_on(grant, ctx.user_id(), out);
        return mcp::ToolResult::json(std::move(out));
      }),
      mcp::text_result_output_schema(),
  };
}

}  // namespace blender_bus::tools
