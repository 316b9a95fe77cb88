// blender_register_client, blender_unregister_client and
// blender_list_available_clients: the tools that manage who is on a bus.
#include "bus/requests.hpp"
#include "tools/bus_schemas.hpp"
#include "tools/bus_tools.hpp"
#include "tools/session_delivery.hpp"
#include "tools/sync_handlers.hpp"
#include "tools/tool_arguments.hpp"

namespace blender_bus::tools {

mcp::ToolDefinition make_register_client_tool(bus::BusManager& buses) {
  return {
      "blender_register_client",
      "Join your bus, or update your registration in place. Binds the client to this MCP "
      "session: messages for it arrive here as notifications/message on logger _message_bus. "
      "Returns {\"status\":\"ok\",\"client\":{…}}.",
      register_client_schema(buses.limits()),
      sync_tool([&buses](mcp::CallContext& ctx, const boost::json::object& args) {
        bus::Registration r;
        r.client_uuid = string_arg(args, "client_uuid");
        r.client_type = string_arg(args, "client_type");
        r.is_persistent = bool_arg_or(args, "is_persistent", false);
        r.capabilities = string_list_arg(args, "capabilities");
        r.group_id = nullable_string_arg(args, "group_id");
        r.session_id = ctx.session->id();
        auto outcome = buses.bus(ctx.user_id())->register_client(std::move(r));
        // The session may have ended while this call ran; its end listener has
        // then already swept the bus, so sweep again for this registration.
        if (ctx.session->ended()) buses.on_session_end(ctx.user_id(), ctx.session->id());
        return to_tool_result(outcome);
      }),
  };
}

mcp::ToolDefinition make_unregister_client_tool(bus::BusManager& buses) {
  return {
      "blender_unregister_client",
      "Leave your bus. Idempotent: returns {\"status\":\"ok\"|\"not_found\",\"client_uuid\"}.",
      unregister_client_schema(buses.limits()),
      sync_tool([&buses](mcp::CallContext& ctx, const boost::json::object& args) {
        return to_tool_result(
            buses.bus(ctx.user_id())->unregister_client(string_arg(args, "client_uuid")));
      }),
  };
}

mcp::ToolDefinition make_list_available_clients_tool(bus::BusManager& buses) {
  return {
      "blender_list_available_clients",
      "Snapshot of your bus: {\"status\":\"ok\",\"user_id\",\"persistent\":[…],"
      "\"ephemeral\":[…]}.",
      list_available_clients_schema(),
      sync_tool([&buses](mcp::CallContext& ctx, const boost::json::object&) {
        return mcp::ToolResult::json(buses.bus(ctx.user_id())->list_clients());
      }),
  };
}

}  // namespace blender_bus::tools
