// blender_send_message and blender_job_update: the tools that route records.
#include "bus/requests.hpp"
#include "tools/bus_access.hpp"
#include "tools/bus_schemas.hpp"
#include "tools/bus_tools.hpp"
#include "tools/tool_arguments.hpp"
#include "tools/tool_result.hpp"

namespace blender_bus::tools {

namespace asio = boost::asio;

namespace {

asio::awaitable<mcp::ToolResult> send_message(delivery::BusService& service,
                                              const BusAccess& access, mcp::CallContext& ctx,
                                              const boost::json::object& args) {
  auto checked = access.check(ctx.user_id(), nullable_string_arg(args, "bus_id"),
                              sharing::BusAction::send_message);
  if (auto* refusal = std::get_if<BusRefusal>(&checked)) co_return mcp::ToolResult::json(*refusal);
  BusGrant grant = std::get<BusGrant>(std::move(checked));
  bus::SendRequest request;
  request.target_uuid = nullable_string_arg(args, "target_uuid");
  request.group_id = nullable_string_arg(args, "group_id");
  request.client_type = nullable_string_arg(args, "client_type");
  request.priority = priority_arg(args, "priority");
  request.from_uuid = nullable_string_arg(args, "from_uuid");
  if (grant.shared()) {
    // Replies go to from_uuid: nobody sends as another member's client.
    if (request.from_uuid) {
      if (auto refusal = access.check_client(grant, ctx.user_id(), *request.from_uuid)) {
        co_return mcp::ToolResult::json(*refusal);
      }
    }
    request.user_id = ctx.user_id();
  }
  delivery::Settled done = co_await service.send(
      std::move(grant.bus), args.at("payload").as_object(), std::move(request));
  shown_on(grant, ctx.user_id(), done.result);
  co_return settled_result(done,
                           "the message could not be stored, so nobody received it; try again");
}

asio::awaitable<mcp::ToolResult> job_update(delivery::BusService& service, const BusAccess& access,
                                            mcp::CallContext& ctx,
                                            const boost::json::object& args) {
  auto checked = access.check(ctx.user_id(), nullable_string_arg(args, "bus_id"),
                              sharing::BusAction::job_update);
  if (auto* refusal = std::get_if<BusRefusal>(&checked)) co_return mcp::ToolResult::json(*refusal);
  BusGrant grant = std::get<BusGrant>(std::move(checked));
  bus::JobUpdate update{string_arg(args, "job_id"),
                        string_arg(args, "status"),
                        string_arg_or(args, "result", ""),
                        string_arg_or(args, "error", ""),
                        nullable_number_arg(args, "progress"),
                        nullable_string_arg(args, "progress_message"),
                        ctx.session->id()};
  if (grant.shared()) update.user_id = ctx.user_id();
  delivery::Settled done = co_await service.job_update(std::move(grant.bus), std::move(update));
  shown_on(grant, ctx.user_id(), done.result);
  co_return settled_result(done,
                           "the job update could not be stored, so nobody received it; try again");
}

}  // namespace

mcp::ToolDefinition make_send_message_tool(delivery::BusService& service, const BusAccess& access) {
  return {
      "blender_send_message",
      "Send a payload on your bus. Routing, first match wins: target_uuid (direct), group_id "
      "(group, sender included), client_type (type filter, sender included), else broadcast "
      "(everyone but the sender). Pass from_uuid to get job updates back directly. Returns "
      "{\"status\":\"ok\",\"message_id\",\"job_id\",\"targets\",\"routing\"}; targets [] means "
      "nobody matched.",
      with_bus_id(send_message_schema(service.limits())),
      [&service, &access](mcp::CallContext& ctx, const boost::json::object& args) {
        return send_message(service, access, ctx, args);
      },
      mcp::text_result_output_schema(),
  };
}

mcp::ToolDefinition make_job_update_tool(delivery::BusService& service, const BusAccess& access) {
  return {
      "blender_job_update",
      "Report a job's progress or result. Goes directly to the client that sent the job (when "
      "it gave from_uuid), else is broadcast on your bus. completed, failed and cancelled end "
      "the job. progress (0 to 1) and progress_message, when given, are passed on. Returns "
      "{\"status\":\"ok\",\"delivered\":\"direct\"|\"broadcast\",\"targets\"}.",
      with_bus_id(job_update_schema()),
      [&service, &access](mcp::CallContext& ctx, const boost::json::object& args) {
        return job_update(service, access, ctx, args);
      },
      mcp::text_result_output_schema(),
  };
}

}  // namespace blender_bus::tools
