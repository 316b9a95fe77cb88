// blender_receive_messages and blender_job_status: the pull path for clients
// that cannot hold a stream open (SPEC §9), with long-polling.
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <chrono>

#include "delivery/log_level_of.hpp"
#include "json/serializer.hpp"
#include "mcp/dispatcher.hpp"
#include "tools/bus_access.hpp"
#include "tools/bus_schemas.hpp"
#include "tools/bus_tools.hpp"
#include "tools/job_status_answer.hpp"
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

// What one resources/read of an inbox returns at most (a tool call's default).
constexpr std::size_t kInboxReadLimit = 100;

json::object received(json::array messages, std::uint64_t next) {
  json::object out;
  out["status"] = "ok";
  out["messages"] = std::move(messages);
  out["next"] = next;
  return out;
}

// The streaming receive (MCP 2026-07-28, a request whose _meta set a
// logLevel): for the whole wait, each record that arrives goes out at once as
// its notifications/message (SPEC §7, as a session's stream carries it) on the
// request's own response stream; records below the level come back in
// `messages`. Each read acknowledges the one before, as a stream marks what
// it wrote; `next` in the result, passed as `after`, acknowledges the last,
// and an older `after` replays what is still retained (a cut stream). On a
// shared bus the grant is checked again after every wake: a member removed
// meanwhile gets the outsider's answer at once, and nothing more.
asio::awaitable<mcp::ToolResult> stream_messages(
    delivery::BusService& service, delivery::ModernChannels& channels, const BusAccess& access,
    mcp::CallContext& ctx, const BusGrant& grant, const std::string& uuid,
    std::optional<std::uint64_t> after, std::size_t limit, std::chrono::milliseconds wait) {
  const auto channel = channels.open(grant.bus, uuid);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  std::optional<std::uint64_t> cursor = after;
  json::array kept;
  std::size_t taken = 0;
  while (taken < limit) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    // Copies made here and moved in: GCC 12 releases a copy made inside a
    // co_await expression in a loop twice.
    delivery::BusId bus_copy = grant.bus;
    std::string uuid_copy = uuid;
    std::optional<delivery::RecordRead> read = co_await service.receive(
        std::move(bus_copy), std::move(uuid_copy), cursor, limit - taken, left);
    if (auto refusal =
            access.check_again(grant, ctx.user_id(), sharing::BusAction::receive, uuid)) {
      co_return mcp::ToolResult::json(std::move(*refusal));
    }
    if (!read) {
      co_return mcp::ToolResult::json(error_result("client_not_found", "client_uuid", uuid));
    }
    cursor = read->next;
    taken += read->records.size();
    for (const auto& item : read->records) {
      if (delivery::log_level_of(item.level) > *ctx.log_level) {
        kept.push_back(record_data(*item.text));
      } else if (!co_await ctx.stream->notify(*item.text)) {
        // The client closed the stream: the request is cancelled, and what it
        // did not see is replayed from its `after`.
        json::object out = received(std::move(kept), *cursor);
        shown_on(grant, ctx.user_id(), out);
        co_return mcp::ToolResult::json(std::move(out));
      }
    }
  }
  if (cursor) channels.read(grant.bus, uuid, *cursor);
  json::object out = received(std::move(kept), cursor.value_or(0));
  shown_on(grant, ctx.user_id(), out);
  co_return mcp::ToolResult::json(std::move(out));
}

asio::awaitable<mcp::ToolResult> receive_messages(delivery::BusService& service,
                                                  const BusAccess& access,
                                                  delivery::ModernChannels* channels,
                                                  mcp::CallContext& ctx, const json::object& args) {
  auto checked =
      access.check(ctx.user_id(), nullable_string_arg(args, "bus_id"), sharing::BusAction::receive);
  if (auto* refusal = std::get_if<BusRefusal>(&checked)) co_return mcp::ToolResult::json(*refusal);
  BusGrant grant = std::get<BusGrant>(std::move(checked));
  const std::string uuid = string_arg(args, "client_uuid");
  if (auto refusal = access.check_client(grant, ctx.user_id(), uuid)) {
    co_return mcp::ToolResult::json(*refusal);
  }
  const std::optional<std::uint64_t> after = uint_arg(args, "after");
  const std::size_t limit = static_cast<std::size_t>(uint_arg(args, "limit").value_or(100));
  const std::chrono::milliseconds wait = wait_of(args);
  if (channels && ctx.stream && ctx.log_level && wait.count() > 0) {
    if (!service.directory().find(grant.bus, uuid)) {
      co_return mcp::ToolResult::json(error_result("client_not_found", "client_uuid", uuid));
    }
    co_return co_await stream_messages(service, *channels, access, ctx, grant, uuid, after, limit,
                                       wait);
  }
  // Named first: a copy made inside a co_await expression (GCC 12, PR 100611).
  delivery::BusId bus = grant.bus;
  std::optional<delivery::RecordRead> read =
      co_await service.receive(std::move(bus), uuid, after, limit, wait);
  // A long-poll outlives its check: a member removed while it waited is an outsider.
  if (wait.count() > 0) {
    if (auto refusal =
            access.check_again(grant, ctx.user_id(), sharing::BusAction::receive, uuid)) {
      co_return mcp::ToolResult::json(std::move(*refusal));
    }
  }
  if (!read) co_return mcp::ToolResult::json(error_result("client_not_found", "client_uuid", uuid));
  if (channels) channels->read(grant.bus, uuid, read->next);

  json::array messages;
  messages.reserve(read->records.size());
  for (const auto& record : read->records) messages.push_back(record_data(*record.text));
  json::object out = received(std::move(messages), read->next);
  shown_on(grant, ctx.user_id(), out);
  co_return mcp::ToolResult::json(std::move(out));
}

asio::awaitable<mcp::ToolResult> job_status(delivery::BusService& service, const BusAccess& access,
                                            mcp::CallContext& ctx, const json::object& args) {
  auto checked =
      access.check(ctx.user_id(), nullable_string_arg(args, "bus_id"), sharing::BusAction::receive);
  if (auto* refusal = std::get_if<BusRefusal>(&checked)) co_return mcp::ToolResult::json(*refusal);
  BusGrant grant = std::get<BusGrant>(std::move(checked));
  const std::string job_id = string_arg(args, "job_id");
  std::optional<delivery::JobStatus> status =
      co_await service.job_status(std::move(grant.bus), job_id, wait_of(args));
  if (!status) co_return mcp::ToolResult::json(error_result("job_not_found", "job_id", job_id));
  json::object out = job_status_answer(*status);
  shown_on(grant, ctx.user_id(), out);
  co_return mcp::ToolResult::json(std::move(out));
}

}  // namespace

mcp::ToolDefinition make_receive_messages_tool(delivery::BusService& service,
                                               const BusAccess& access,
                                               delivery::ModernChannels* channels) {
  return {
      "blender_receive_messages",
      "Pull a client's records instead of (or besides) holding a stream: returns "
      "{\"status\":\"ok\",\"messages\":[<record data>…],\"next\":<cursor>}. Pass next as "
      "`after` on the following call to acknowledge what you got; wait_seconds long-polls for "
      "the first record. Under MCP 2026-07-28, with _meta io.modelcontextprotocol/logLevel set, "
      "it streams instead: every record arriving during wait_seconds comes at once as "
      "notifications/message on this call's response stream.",
      with_bus_id(receive_messages_schema(service.limits())),
      [&service, &access, channels](mcp::CallContext& ctx, const json::object& args) {
        return receive_messages(service, access, channels, ctx, args);
      },
      mcp::text_result_output_schema(),
  };
}

mcp::ResourceTemplateDefinition make_inbox_resource(delivery::BusService& service,
                                                    const BusAccess& access,
                                                    delivery::ModernChannels& channels) {
  return {
      std::string(delivery::ModernChannels::kInboxPrefix) + "{client_uuid}",
      std::string(delivery::ModernChannels::kInboxPrefix),
      "bus-inbox",
      "A client's pending records, oldest first, as blender_receive_messages without `after` "
      "returns them: {\"status\":\"ok\",\"messages\":[<record data>…],\"next\":<cursor>}. "
      "subscriptions/listen on this uri tells you when a record arrives; reading acknowledges "
      "nothing (pass next as blender_receive_messages' `after`). ?bus_id=<id> reads a client "
      "on a shared bus.",
      "application/json",
      [&service, &access, &channels](mcp::CallContext& ctx,
                                     std::string_view rest) -> asio::awaitable<std::string> {
        const std::string uri =
            std::string(delivery::ModernChannels::kInboxPrefix) + std::string(rest);
        const BusOnUri on_uri = split_bus_id(rest);
        const std::string uuid(on_uri.path);
        auto checked = access.check(ctx.user_id(), on_uri.bus_id, sharing::BusAction::receive);
        if (auto* refusal = std::get_if<BusRefusal>(&checked)) {
          co_return blender_bus::json::to_text(*refusal);
        }
        BusGrant grant = std::get<BusGrant>(std::move(checked));
        if (access.check_client(grant, ctx.user_id(), uuid)) throw mcp::ResourceNotFound(uri);
        std::optional<delivery::RecordRead> read = co_await service.receive(
            grant.bus, uuid, std::nullopt, kInboxReadLimit, std::chrono::milliseconds(0));
        if (!read) throw mcp::ResourceNotFound(uri);
        channels.read(grant.bus, uuid, read->next);
        json::array messages;
        messages.reserve(read->records.size());
        for (const auto& item : read->records) messages.push_back(record_data(*item.text));
        json::object out = received(std::move(messages), read->next);
        shown_on(grant, ctx.user_id(), out);
        co_return blender_bus::json::to_text(out);
      },
  };
}

mcp::ToolDefinition make_job_status_tool(delivery::BusService& service, const BusAccess& access) {
  return {
      "blender_job_status",
      "A job's last known status: {\"status\":\"ok\",\"job_id\",\"job_status\",\"result\","
      "\"error\",\"originator\",\"open\",\"progress\",\"progress_message\"} or "
      "{\"status\":\"error\",\"error\":\"job_not_found\"}. "
      "With wait_seconds, answers when the status changes (or at the deadline); a finished job "
      "(completed, failed, cancelled) answers at once.",
      with_bus_id(job_status_schema()),
      [&service, &access](mcp::CallContext& ctx, const json::object& args) {
        return job_status(service, access, ctx, args);
      },
      mcp::text_result_output_schema(),
  };
}

}  // namespace blender_bus::tools
