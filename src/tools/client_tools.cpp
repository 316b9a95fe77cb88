// blender_register_client, blender_unregister_client and
// blender_list_available_clients: the tools that manage who is on a bus.
#include <spdlog/spdlog.h>

#include "bus/requests.hpp"
#include "tools/bus_schemas.hpp"
#include "tools/bus_tools.hpp"
#include "tools/sync_handlers.hpp"
#include "tools/tool_arguments.hpp"
#include "tools/tool_result.hpp"

namespace blender_bus::tools {

namespace asio = boost::asio;

namespace {

// A registration took `client_uuid` from another session that still held it.
// Logged (a warning while that session's stream is open: a live client goes
// deaf unless it acts), and that stream is woken to read its client_displaced
// record. Session ids are shortened: the log needs to tell them apart only.
void report_takeover(DeliveryHub& hub, const mcp::CallContext& ctx, const std::string& client_uuid,
                     const std::string& displaced) {
  auto session = hub.sessions().find(displaced);
  const bool streaming = session && session->outbound().has_consumer();
  const auto level = streaming ? spdlog::level::warn : spdlog::level::info;
  spdlog::log(level,
              "user {}: client {} taken over by session {}… from session {}… ({}); the displaced "
              "session is sent client_displaced",
              ctx.user_id(), client_uuid, ctx.session->id().substr(0, 8), displaced.substr(0, 8),
              streaming ? "its stream is open" : "no stream open");
  if (session) session->outbound().wake();
}

asio::awaitable<mcp::ToolResult> register_client(DeliveryHub& hub, mcp::CallContext& ctx,
                                                 const boost::json::object& args) {
  bus::Registration r;
  r.client_uuid = string_arg(args, "client_uuid");
  r.client_type = string_arg(args, "client_type");
  r.is_persistent = bool_arg_or(args, "is_persistent", false);
  r.capabilities = string_list_arg(args, "capabilities");
  r.group_id = nullable_string_arg(args, "group_id");
  r.label = nullable_string_arg(args, "label");
  r.session_id = ctx.session->id();
  const std::string client_uuid = r.client_uuid;
  auto outcome = hub.buses().bus(ctx.user_id())->register_client(std::move(r));
  if (outcome.displaced_session) {
    report_takeover(hub, ctx, client_uuid, *outcome.displaced_session);
  }
  // The session may have ended while this call ran; its end listener has
  // then already swept the bus, so sweep again for this registration.
  if (ctx.session->ended()) hub.buses().on_session_end(ctx.user_id(), ctx.session->id());
  if (!co_await hub.settle(ctx.user_id(), outcome)) {
    co_return store_failure_result(
        "the registration could not be stored, so it was undone; try again");
  }
  // Records that waited for this client now flow to this session's stream.
  if (!outcome.rejected) ctx.session->outbound().wake();
  co_return to_tool_result(outcome);
}

asio::awaitable<mcp::ToolResult> unregister_client(DeliveryHub& hub, mcp::CallContext& ctx,
                                                   const boost::json::object& args) {
  auto outcome = hub.buses().bus(ctx.user_id())->unregister_client(string_arg(args, "client_uuid"));
  if (!co_await hub.settle(ctx.user_id(), outcome)) {
    // The client is off the bus, and still in the store: unregistering it
    // again (not_found then) removes it there too.
    co_return store_failure_result(
        "the unregistration could not be stored, and the client may come back after a restart; "
        "unregister it again");
  }
  co_return to_tool_result(outcome);
}

}  // namespace

mcp::ToolDefinition make_register_client_tool(DeliveryHub& hub) {
  return {
      "blender_register_client",
      "Join your bus, or update your registration in place. Binds the client to this MCP "
      "session: messages for it arrive here as notifications/message on logger _message_bus "
      "(and wait in its inbox while no stream is open). Returns "
      "{\"status\":\"ok\",\"client\":{…}}.",
      register_client_schema(hub.buses().limits()),
      [&hub](mcp::CallContext& ctx, const boost::json::object& args) {
        return register_client(hub, ctx, args);
      },
      mcp::text_result_output_schema(),
  };
}

mcp::ToolDefinition make_unregister_client_tool(DeliveryHub& hub) {
  return {
      "blender_unregister_client",
      "Leave your bus. Idempotent: returns {\"status\":\"ok\"|\"not_found\",\"client_uuid\"}.",
      unregister_client_schema(hub.buses().limits()),
      [&hub](mcp::CallContext& ctx, const boost::json::object& args) {
        return unregister_client(hub, ctx, args);
      },
      mcp::text_result_output_schema(),
  };
}

mcp::ToolDefinition make_list_available_clients_tool(DeliveryHub& hub) {
  return {
      "blender_list_available_clients",
      "Snapshot of your bus: {\"status\":\"ok\",\"user_id\",\"persistent\":[…],"
      "\"ephemeral\":[…]}. Each client also says whether it is online, how long ago it was "
      "last seen, whether it is stale, and its pending and dropped records.",
      list_available_clients_schema(),
      sync_tool([&hub](mcp::CallContext& ctx, const boost::json::object&) {
        return mcp::ToolResult::json(hub.buses().bus(ctx.user_id())->list_clients(hub.presence()));
      }),
      mcp::text_result_output_schema(),
  };
}

}  // namespace blender_bus::tools
