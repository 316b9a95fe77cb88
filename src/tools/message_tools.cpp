// blender_send_message and blender_job_update: the tools that route records.
#include "bus/requests.hpp"
#include "tools/bus_schemas.hpp"
#include "tools/bus_tools.hpp"
#include "tools/session_delivery.hpp"
#include "tools/sync_handlers.hpp"
#include "tools/tool_arguments.hpp"

namespace blender_bus::tools {

mcp::ToolDefinition make_send_message_tool(bus::BusManager& buses, mcp::SessionRegistry& sessions) {
  return {
      "blender_send_message",
      "Send a payload on your bus. Routing, first match wins: target_uuid (direct), group_id "
      "(group, sender included), client_type (type filter, sender included), else broadcast "
      "(everyone but the sender). Pass from_uuid to get job updates back directly. Returns "
      "{\"status\":\"ok\",\"message_id\",\"job_id\",\"targets\",\"routing\"}; targets [] means "
      "nobody matched.",
      send_message_schema(buses.limits()),
      sync_tool([&buses, &sessions](mcp::CallContext& ctx, const boost::json::object& args) {
        bus::SendRequest request;
        request.target_uuid = nullable_string_arg(args, "target_uuid");
        request.group_id = nullable_string_arg(args, "group_id");
        request.client_type = nullable_string_arg(args, "client_type");
        request.priority = priority_arg(args, "priority");
        request.from_uuid = nullable_string_arg(args, "from_uuid");
        auto outcome = buses.bus(ctx.user_id())->send(args.at("payload").as_object(), request);
        deliver(std::move(outcome.deliveries), sessions);
        return to_tool_result(outcome);
      }),
  };
}

mcp::ToolDefinition make_job_update_tool(bus::BusManager& buses, mcp::SessionRegistry& sessions) {
  return {
      "blender_job_update",
      "Report a job's progress or result. Goes directly to the client that sent the job (when "
      "it gave from_uuid), else is broadcast on your bus. completed, failed and cancelled end "
      "the job. Returns {\"status\":\"ok\",\"delivered\":\"direct\"|\"broadcast\",\"targets\"}.",
      job_update_schema(),
      sync_tool([&buses, &sessions](mcp::CallContext& ctx, const boost::json::object& args) {
        bus::JobUpdate update{string_arg(args, "job_id"), string_arg(args, "status"),
                              string_arg_or(args, "result", ""), string_arg_or(args, "error", "")};
        auto outcome = buses.bus(ctx.user_id())->job_update(update);
        deliver(std::move(outcome.deliveries), sessions);
        return to_tool_result(outcome);
      }),
  };
}

}  // namespace blender_bus::tools
