// blender_receive_messages and blender_job_status: the pull path for clients
// that cannot hold a stream open (SPEC §9), with long-polling.
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <chrono>

#include "tools/bus_schemas.hpp"
#include "tools/bus_tools.hpp"
#include "tools/tool_arguments.hpp"

namespace blender_bus::tools {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

std::chrono::milliseconds wait_of(const json::object& args) {
  return std::chrono::milliseconds(
      static_cast<std::int64_t>(number_arg_or(args, "wait_seconds", 0) * 1000));
}

json::object error_result(std::string_view error, std::string_view key, std::string_view value) {
  json::object out;
  out["status"] = "error";
  out["error"] = error;
  out[key] = value;
  return out;
}

// The record's `data` object (SPEC §7), as the stream would have carried it.
json::value record_data(const std::string& text) {
  json::value record = json::parse(text);
  return record.at("params").at("data");
}

asio::awaitable<mcp::ToolResult> receive_messages(delivery::BusService& service,
                                                  mcp::CallContext& ctx, const json::object& args) {
  const std::string uuid = string_arg(args, "client_uuid");
  const std::optional<std::uint64_t> after = uint_arg(args, "after");
  const std::size_t limit = static_cast<std::size_t>(uint_arg(args, "limit").value_or(100));
  std::optional<delivery::RecordRead> read =
      co_await service.receive(ctx.user_id(), uuid, after, limit, wait_of(args));
  if (!read) co_return mcp::ToolResult::json(error_result("client_not_found", "client_uuid", uuid));

  json::array messages;
  messages.reserve(read->records.size());
  for (const auto& record : read->records) messages.push_back(record_data(*record.text));
  json::object out;
  out["status"] = "ok";
  out["messages"] = std::move(messages);
  out["next"] = read->next;
  co_return mcp::ToolResult::json(std::move(out));
}

asio::awaitable<mcp::ToolResult> job_status(delivery::BusService& service, mcp::CallContext& ctx,
                                            const json::object& args) {
  const std::string job_id = string_arg(args, "job_id");
  std::optional<delivery::JobStatus> status =
      co_await service.job_status(ctx.user_id(), job_id, wait_of(args));
  if (!status) co_return mcp::ToolResult::json(error_result("job_not_found", "job_id", job_id));
  const bus::JobState& state = status->state;
  json::object out;
  out["status"] = "ok";
  out["job_id"] = state.job_id;
  out["job_status"] = state.status;
  out["result"] = state.result;
  out["error"] = state.error;
  if (state.originator.empty()) {
    out["originator"] = nullptr;
  } else {
    out["originator"] = state.originator;
  }
  out["open"] = status->open;
  if (state.progress) {
    out["progress"] = *state.progress;
  } else {
    out["progress"] = nullptr;
  }
  if (state.progress_message) {
    out["progress_message"] = *state.progress_message;
  } else {
    out["progress_message"] = nullptr;
  }
  co_return mcp::ToolResult::json(std::move(out));
}

}  // namespace

mcp::ToolDefinition make_receive_messages_tool(delivery::BusService& service) {
  return {
      "blender_receive_messages",
      "Pull a client's records instead of (or besides) holding a stream: returns "
      "{\"status\":\"ok\",\"messages\":[<record data>…],\"next\":<cursor>}. Pass next as "
      "`after` on the following call to acknowledge what you got; wait_seconds long-polls for "
      "the first record.",
      receive_messages_schema(service.limits()),
      [&service](mcp::CallContext& ctx, const json::object& args) {
        return receive_messages(service, ctx, args);
      },
      mcp::text_result_output_schema(),
  };
}

mcp::ToolDefinition make_job_status_tool(delivery::BusService& service) {
  return {
      "blender_job_status",
      "A job's last known status: {\"status\":\"ok\",\"job_id\",\"job_status\",\"result\","
      "\"error\",\"originator\",\"open\",\"progress\",\"progress_message\"} or "
      "{\"status\":\"error\",\"error\":\"job_not_found\"}. "
      "With wait_seconds, answers when the status changes (or at the deadline); a finished job "
      "(completed, failed, cancelled) answers at once.",
      job_status_schema(),
      [&service](mcp::CallContext& ctx, const json::object& args) {
        return job_status(service, ctx, args);
      },
      mcp::text_result_output_schema(),
  };
}

}  // namespace blender_bus::tools
