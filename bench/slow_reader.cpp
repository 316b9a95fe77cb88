#include "slow_reader.hpp"

#include "cli/mcp_client.hpp"
#include "cli/sse_parser.hpp"
#include "parallel.hpp"
#include "soak_record.hpp"

namespace blender_bus::bench {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr auto kCycle = std::chrono::seconds(60);
constexpr auto kSlowPart = std::chrono::seconds(45);  // of each cycle
constexpr auto kSlowPause = std::chrono::seconds(2);  // between reads while slow
constexpr auto kTimeout = std::chrono::seconds(30);

}  // namespace

SlowReader::SlowReader(SoakState& state, std::size_t user, std::string uuid)
    : state_(state), user_(user), uuid_(std::move(uuid)) {}

asio::awaitable<void> SlowReader::run() {
  const auto& auth = state_.users[user_].auth;
  cli::McpClientOptions options;
  options.client_name = "blender-bus-soak-slow-reader";
  cli::McpClient client(state_.executor, state_.server, auth, options);
  co_await client.connect();
  json::object arguments;
  arguments["client_uuid"] = uuid_;
  arguments["client_type"] = "blender";
  arguments["is_persistent"] = true;
  auto registered = co_await client.call_tool("blender_register_client", std::move(arguments));
  if (registered.is_error) throw std::runtime_error("slow reader: register: " + registered.text);

  const auto started = std::chrono::steady_clock::now();
  auto slow_now = [&] {
    if (state_.stopping) return false;
    return (std::chrono::steady_clock::now() - started) % kCycle < kSlowPart;
  };
  auto done = [&] { return state_.stopping && state_.ledger.missing(uuid_) == 0; };

  cli::HttpConnection stream(state_.executor, state_.server);
  cli::SseParser parser;
  auto on_event = [&](cli::SseEvent&& event) {
    if (event.event == "message" && !event.data.empty()) note_record(state_, uuid_, event);
  };
  auto given_up = [&] { return state_.stopping && !state_.draining; };
  while (!done() && !given_up()) {
    cli::HttpRequest request = client.http_request("GET");
    request.headers.set("Accept", "text/event-stream");
    if (!parser.last_event_id().empty()) {
      request.headers.set("Last-Event-ID", parser.last_event_id());
    }
    const std::string token = auth->token();
    cli::HttpResponseHead head;
    try {
      head = co_await stream.send(request, kTimeout);
      if (head.status != 200) co_await stream.read_rest(kTimeout);
    } catch (const cli::NetworkError& e) {
      state_.errors.add(std::string("slow reader: opening its stream: ") + e.what());
    }
    if (head.status == 0) {
      co_await sleep_for(std::chrono::seconds(1));
      continue;
    }
    if (head.status != 200) {
      stream.close();
      if (head.status == 401 && co_await auth->refresh(token)) continue;
      state_.errors.add("slow reader: GET answered " + std::to_string(head.status));
      co_await sleep_for(std::chrono::seconds(1));
      continue;
    }
    parser.reset_connection();
    for (;;) {
      std::optional<std::string> piece;
      try {
        piece = co_await stream.read_some(std::chrono::seconds(60));
      } catch (const cli::NetworkError&) {
        piece.reset();  // a reset: the server cut the stream off, as below
      }
      if (!piece) {
        // The server ended the stream: its write timeout, as intended.
        ++cut_off_;
        state_.events.add("slow reader cut off by the server, then resumed");
        stream.close();
        break;
      }
      bytes_read_ += piece->size();
      parser.feed(*piece, on_event);
      if (done() || given_up()) break;
      if (slow_now()) co_await sleep_for(kSlowPause);
    }
  }
  stream.close();
  co_await client.close();
}

}  // namespace blender_bus::bench
