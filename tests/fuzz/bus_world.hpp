#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "delivery/bus_service.hpp"
#include "delivery/bus_stream_source.hpp"
#include "delivery/embedded/bus_manager.hpp"
#include "fuzz_check.hpp"
#include "mcp/prompt_registry.hpp"
#include "mcp/resource_registry.hpp"
#include "mcp/session_registry.hpp"
#include "mcp/tool_registry.hpp"
#include "tools/bus_tools.hpp"

namespace blender_bus::fuzz {

// The server's bus in memory, as the composition root wires it (without the
// store): the real tools, resources and prompt on a real bus service. Made fresh for
// each input, so that a crash replays from its input alone. The clock and the
// random source are fixed for the same reason.
struct BusWorld {
  double now = 1'700'000'000.25;
  unsigned random_counter = 0;
  delivery::embedded::BusManager buses{[this] { return now; },
                                       [this](std::span<unsigned char> out) {
                                         for (auto& b : out)
                                           b = static_cast<unsigned char>(random_counter++);
                                       }};
  mcp::SessionRegistry sessions{mcp::SessionLimits{}};
  delivery::BusService service{buses, sessions};
  delivery::BusStreamSource source{service};
  tools::BusAccess access{nullptr};  // personal buses only
  mcp::ToolRegistry tools;
  mcp::ResourceRegistry resources;
  mcp::PromptRegistry prompts;
  boost::asio::io_context io{1};

  BusWorld() { tools::register_bus_tools(tools, resources, prompts, service, access); }

  // Someone to address: a new session of alice's with a persistent Blender
  // worker in a group ("worker-1", group "render") and an assistant
  // ("llm-1"). Returns that session.
  mcp::SessionPtr add_peers() {
    const mcp::SessionPtr peer = sessions.create("alice");
    for (const auto& registration : {
             boost::json::object{{"client_uuid", "worker-1"},
                                 {"client_type", "blender"},
                                 {"is_persistent", true},
                                 {"group_id", "render"}},
             boost::json::object{{"client_uuid", "llm-1"}, {"client_type", "llm"}},
         }) {
      mcp::CallContext context{peer, io.get_executor()};
      run(tools.find("blender_register_client")->handler(context, registration));
    }
    return peer;
  }

  // Runs a handler's coroutine to its end on this world's one thread.
  template <typename T>
  T run(boost::asio::awaitable<T> work) {
    auto future = boost::asio::co_spawn(io, std::move(work), boost::asio::use_future);
    io.restart();
    io.run();
    return future.get();
  }

  // What each session's stream would write: every pushed record must be a
  // notifications/message on logger _message_bus, valid JSON as written.
  void check_streams(const mcp::SessionPtr& session) {
    auto batch = source.next(*session, 100000);
    for (const auto& event : batch.events) {
      boost::system::error_code ec;
      const auto record = boost::json::parse(*event.data, ec);
      FUZZ_CHECK(!ec && record.is_object(), "a pushed record is not a JSON object");
      const auto& object = record.get_object();
      const auto* method = object.if_contains("method");
      FUZZ_CHECK(method && method->is_string() && method->get_string() == "notifications/message",
                 "a pushed record is not notifications/message");
      const auto* params = object.if_contains("params");
      FUZZ_CHECK(params && params->is_object() && params->get_object().contains("data"),
                 "a pushed record has no params.data");
      FUZZ_CHECK(event.id > 0, "a pushed record without an event id");
    }
    source.delivered(*session, batch);
  }
};

// A long poll waits on a real timer: the harnesses shrink every accepted
// wait_seconds (0-50) to at most a millisecond, so that the wait path runs
// without stalling the fuzzer. Values outside the range stay, for the schema.
inline void shorten_waits(boost::json::object& arguments) {
  auto* wait = arguments.if_contains("wait_seconds");
  if (!wait || !wait->is_number()) return;
  const double seconds = wait->to_number<double>();
  if (seconds >= 0 && seconds <= 50) *wait = seconds / 50'000;
}

// A CallToolResult as MCP says it is: content[0] a text item; a bus tool's
// answer that is not an error is a JSON object with a "status".
inline void check_tool_result(const boost::json::object& result) {
  const auto* content = result.if_contains("content");
  FUZZ_CHECK(content && content->is_array() && !content->get_array().empty(),
             "a tool result without content");
  const auto& first = content->get_array().front();
  FUZZ_CHECK(first.is_object() && first.get_object().contains("text") &&
                 first.get_object().at("text").is_string() &&
                 first.get_object().at("type") == "text",
             "a tool result whose first content item is not text");
  const auto* is_error = result.if_contains("isError");
  if (is_error && is_error->is_bool() && is_error->get_bool()) return;
  boost::system::error_code ec;
  const auto text = boost::json::parse(first.get_object().at("text").get_string(), ec);
  FUZZ_CHECK(!ec && text.is_object(), "a tool's text is not a JSON object");
  const auto* status = text.get_object().if_contains("status");
  FUZZ_CHECK(status && status->is_string(), "a tool's answer has no status");
}

}  // namespace blender_bus::fuzz
