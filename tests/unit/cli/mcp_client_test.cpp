#include "cli/mcp_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "cli/event_stream.hpp"
#include "fake_http_server.hpp"

namespace blender_bus::cli {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using testing::FakeExchange;
using testing::FakeHttpServer;

// Runs the client coroutine to its end (or fails the test after 10 s), then
// stops the fake server so the loop drains.
void run(asio::io_context& io, FakeHttpServer& server,
         std::function<asio::awaitable<void>()> body) {
  std::exception_ptr failure;
  bool finished = false;
  asio::co_spawn(io, body(), [&](std::exception_ptr error) {
    failure = error;
    finished = true;
    server.stop();
  });
  io.run_for(std::chrono::seconds(10));
  ASSERT_TRUE(finished) << "the client did not finish in time";
  if (failure) std::rethrow_exception(failure);
}

json::object body_of(const FakeExchange& exchange) {
  return json::parse(exchange.request().body()).as_object();
}

std::string answer(const json::object& request, json::value result) {
  return json::serialize(
      json::object{{"jsonrpc", "2.0"}, {"id", request.at("id")}, {"result", result}});
}

// As the bus tools answer (SPEC §5): the text, and structuredContent wrapping it.
json::object tool_result(json::object value) {
  const std::string text = json::serialize(value);
  return {{"content", json::array{{{"type", "text"}, {"text", text}}}},
          {"structuredContent", {{"result", text}}}};
}

// (GCC 12 rejects braced lists inside co_await expressions: the JSON is
// built by these plain functions.)
std::string initialize_answer(const json::object& request) {
  return answer(request, json::object{{"protocolVersion", "2025-06-18"},
                                      {"capabilities", json::object{}},
                                      {"serverInfo", {{"name", "fake"}, {"version", "0"}}}});
}
std::vector<std::pair<std::string, std::string>> session_header() {
  return {{"Mcp-Session-Id", "s-1"}};
}
std::string status_ok(const json::object& request) {
  return answer(request, tool_result({{"status", "ok"}}));
}
std::string n42(const json::object& request) {
  return answer(request, tool_result({{"n", 42}}));
}
std::string unknown_tool(const json::object& request) {
  return json::serialize(
      json::object{{"jsonrpc", "2.0"},
                   {"id", request.at("id")},
                   {"error", {{"code", -32602}, {"message", "Unknown tool: x"}}}});
}

// Answers initialize (session "s-1") and notifications/initialized like a
// server would; returns false for other messages.
asio::awaitable<bool> lifecycle(FakeExchange& exchange) {
  if (exchange.request().method() != http::verb::post) co_return false;
  auto message = body_of(exchange);
  const auto method = std::string(message.at("method").as_string());
  if (method == "initialize") {
    const auto text = initialize_answer(message);
    co_await exchange.respond(200, text, session_header());
    co_return true;
  }
  if (method == "notifications/initialized") {
    co_await exchange.respond(202, "");
    co_return true;
  }
  co_return false;
}

TEST(McpClient, HandshakeThenCallsCarrySessionVersionAndTokenOnOneConnection) {
  asio::io_context io;
  std::vector<std::map<std::string, std::string>> seen;
  FakeHttpServer server(io, [&](FakeExchange& exchange) -> asio::awaitable<void> {
    seen.push_back({{"authorization", exchange.header("Authorization")},
                    {"session", exchange.header("Mcp-Session-Id")},
                    {"version", exchange.header("MCP-Protocol-Version")},
                    {"accept", exchange.header("Accept")}});
    if (co_await lifecycle(exchange)) co_return;
    auto message = body_of(exchange);
    EXPECT_EQ(message.at("method"), "tools/call");
    EXPECT_EQ(message.at("params").at("name"), "blender_list_available_clients");
    const auto text = status_ok(message);
    co_await exchange.respond(200, text);
  });
  run(io, server, [&]() -> asio::awaitable<void> {
    McpClient client(io.get_executor(), ServerUrl::parse(server.url()),
                     std::make_shared<BearerAuth>("tok"));
    auto init = co_await client.connect();
    EXPECT_EQ(init.at("serverInfo").at("name"), "fake");
    EXPECT_EQ(client.session_id(), "s-1");
    EXPECT_EQ(client.protocol_version(), "2025-06-18");
    auto result = co_await client.call_tool("blender_list_available_clients", {});
    EXPECT_FALSE(result.is_error);
    EXPECT_EQ(result.value, (json::object{{"status", "ok"}}));
  });
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0]["session"], "");  // initialize carries none
  EXPECT_EQ(seen[0]["accept"], "application/json, text/event-stream");
  for (auto& headers : seen) EXPECT_EQ(headers["authorization"], "Bearer tok");
  EXPECT_EQ(seen[1]["session"], "s-1");
  EXPECT_EQ(seen[2]["session"], "s-1");
  EXPECT_EQ(seen[2]["version"], "2025-06-18");
  EXPECT_EQ(server.connections(), 1u);  // keep-alive
}

TEST(McpClient, ReadsAnAnswerSentAsAnEventStream) {
  asio::io_context io;
  FakeHttpServer server(io, [&](FakeExchange& exchange) -> asio::awaitable<void> {
    if (co_await lifecycle(exchange)) co_return;
    auto message = body_of(exchange);
    co_await exchange.start_stream();
    // A notification first, split mid-line across chunks, then the answer.
    co_await exchange.chunk(
        ": hello\n\nevent: message\nid: 7\ndata: {\"jsonrpc\":\"2.0\",\"method\":");
    co_await exchange.chunk("\"notifications/progress\",\"params\":{\"progress\":1}}\n\n");
    const auto text = "id: 8\ndata: " + n42(message) + "\r\n\r\n";
    co_await exchange.chunk(text);
    co_await exchange.end_stream();
  });
  std::vector<std::string> notes;
  run(io, server, [&]() -> asio::awaitable<void> {
    McpClient client(io.get_executor(), ServerUrl::parse(server.url()), nullptr);
    client.on_notification([&](const RpcNotification& note) { notes.push_back(note.method); });
    co_await client.connect();
    auto result = co_await client.call_tool("any", {});
    EXPECT_EQ(result.value, (json::object{{"n", 42}}));
    // The connection is still good for the next request.
    auto again = co_await client.call_tool("any", {});
    EXPECT_EQ(again.value, (json::object{{"n", 42}}));
  });
  EXPECT_EQ(notes, (std::vector<std::string>{"notifications/progress", "notifications/progress"}));
  EXPECT_EQ(server.connections(), 1u);
}

TEST(McpClient, JsonRpcErrorBecomesRpcError) {
  asio::io_context io;
  FakeHttpServer server(io, [&](FakeExchange& exchange) -> asio::awaitable<void> {
    if (co_await lifecycle(exchange)) co_return;
    auto message = body_of(exchange);
    const auto text = unknown_tool(message);
    co_await exchange.respond(200, text);
  });
  run(io, server, [&]() -> asio::awaitable<void> {
    McpClient client(io.get_executor(), ServerUrl::parse(server.url()), nullptr);
    co_await client.connect();
    std::int64_t code = 0;
    try {
      co_await client.call_tool("x", {});
    } catch (const RpcError& e) {
      code = e.code();
    }
    EXPECT_EQ(code, -32602);
  });
}

TEST(McpClient, RefreshesTheTokenOnceOn401) {
  asio::io_context io;
  int refused = 0;
  FakeHttpServer server(io, [&](FakeExchange& exchange) -> asio::awaitable<void> {
    if (exchange.header("Authorization") != "Bearer fresh") {
      ++refused;
      std::vector<std::pair<std::string, std::string>> headers{{"WWW-Authenticate", "Bearer"}};
      co_await exchange.respond(401, R"({"detail":"Invalid token: expired"})", headers);
      co_return;
    }
    co_await lifecycle(exchange);
  });
  int refreshes = 0;
  run(io, server, [&]() -> asio::awaitable<void> {
    auto auth =
        std::make_shared<BearerAuth>("stale", [&]() -> asio::awaitable<std::optional<std::string>> {
          ++refreshes;
          co_return std::string("fresh");
        });
    McpClient client(io.get_executor(), ServerUrl::parse(server.url()), auth);
    co_await client.connect();
    EXPECT_EQ(auth->token(), "fresh");
  });
  EXPECT_EQ(refused, 1);
  EXPECT_EQ(refreshes, 1);
}

TEST(McpClient, EndingASessionRefreshesATokenThatExpiredMeanwhile) {
  asio::io_context io;
  std::string token = "first";  // what the server accepts
  std::vector<std::string> deletes;
  FakeHttpServer server(io, [&](FakeExchange& exchange) -> asio::awaitable<void> {
    const bool is_delete = exchange.request().method() == http::verb::delete_;
    if (is_delete) deletes.push_back(exchange.header("Authorization"));
    if (exchange.header("Authorization") != "Bearer " + token) {
      std::vector<std::pair<std::string, std::string>> headers{{"WWW-Authenticate", "Bearer"}};
      co_await exchange.respond(401, R"({"detail":"Invalid token: token has expired"})", headers);
      co_return;
    }
    if (is_delete) {
      co_await exchange.respond(200, "");
      co_return;
    }
    co_await lifecycle(exchange);
  });
  run(io, server, [&]() -> asio::awaitable<void> {
    auto auth = std::make_shared<BearerAuth>(
        "first",
        [&]() -> asio::awaitable<std::optional<std::string>> { co_return std::string("second"); });
    McpClient client(io.get_executor(), ServerUrl::parse(server.url()), auth);
    co_await client.connect();
    token = "second";  // "first" expired while the session was open
    co_await client.close();
    EXPECT_TRUE(client.session_id().empty());
  });
  EXPECT_EQ(deletes, (std::vector<std::string>{"Bearer first", "Bearer second"}));
}

TEST(McpClient, A401WithoutRefreshIsAnHttpErrorWithTheServersDetail) {
  asio::io_context io;
  FakeHttpServer server(io, [&](FakeExchange& exchange) -> asio::awaitable<void> {
    co_await exchange.respond(401, R"({"detail":"Bearer token required"})");
  });
  run(io, server, [&]() -> asio::awaitable<void> {
    McpClient client(io.get_executor(), ServerUrl::parse(server.url()), nullptr);
    std::string detail;
    try {
      co_await client.connect();
    } catch (const HttpError& e) {
      EXPECT_EQ(e.status(), 401u);
      detail = e.detail();
    }
    EXPECT_EQ(detail, "Bearer token required");
  });
}

TEST(McpClient, UnknownSessionIsSessionGone) {
  asio::io_context io;
  FakeHttpServer server(io, [&](FakeExchange& exchange) -> asio::awaitable<void> {
    if (co_await lifecycle(exchange)) co_return;
    co_await exchange.respond(
        404,
        R"({"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"Session not found"}})");
  });
  run(io, server, [&]() -> asio::awaitable<void> {
    McpClient client(io.get_executor(), ServerUrl::parse(server.url()), nullptr);
    co_await client.connect();
    bool gone = false;
    try {
      co_await client.ping();
    } catch (const SessionGone&) {
      gone = true;
    }
    EXPECT_TRUE(gone);
  });
}

TEST(McpClient, ResendsOnAFreshConnectionWhenTheServerClosedAnIdleOne) {
  asio::io_context io;
  FakeHttpServer server(io, [&](FakeExchange& exchange) -> asio::awaitable<void> {
    if (exchange.connection() == 1 && body_of(exchange).at("method") == "initialize") {
      co_await lifecycle(exchange);
      exchange.drop();  // keep-alive timeout on the server's side
      co_return;
    }
    co_await lifecycle(exchange);
  });
  run(io, server, [&]() -> asio::awaitable<void> {
    McpClient client(io.get_executor(), ServerUrl::parse(server.url()), nullptr);
    co_await client.connect();
  });
  EXPECT_EQ(server.connections(), 2u);
}

std::string record(int n) {
  json::object note{
      {"jsonrpc", "2.0"},
      {"method", "notifications/message"},
      {"params",
       {{"level", "info"}, {"logger", "_message_bus"}, {"data", {{"payload", {{"n", n}}}}}}}};
  return "id: " + std::to_string(n) + "\ndata: " + json::serialize(note) + "\n\n";
}

TEST(EventStream, ReconnectsWithLastEventIdAfterADrop) {
  asio::io_context io;
  std::vector<std::string> last_event_ids;
  int gets = 0;
  FakeHttpServer server(io, [&](FakeExchange& exchange) -> asio::awaitable<void> {
    if (co_await lifecycle(exchange)) co_return;
    EXPECT_EQ(exchange.request().method(), http::verb::get);
    EXPECT_EQ(exchange.header("Mcp-Session-Id"), "s-1");
    EXPECT_EQ(exchange.header("Accept"), "text/event-stream");
    last_event_ids.push_back(exchange.header("Last-Event-ID"));
    co_await exchange.start_stream();
    if (++gets == 1) {
      co_await exchange.chunk(": keep-alive\n\n" + record(1));
      co_await exchange.chunk(record(2) + "id: 3\ndata: {\"half");  // cut mid-event
      exchange.drop();
    } else {
      co_await exchange.chunk(record(3));
    }
  });
  std::vector<std::int64_t> received;
  std::uint64_t reconnects = 0;
  std::string last_id;
  run(io, server, [&]() -> asio::awaitable<void> {
    McpClient client(io.get_executor(), ServerUrl::parse(server.url()), nullptr);
    co_await client.connect();
    EventStreamOptions options;
    options.initial_backoff = std::chrono::milliseconds(1);
    EventStream stream(client, options);
    co_await stream.open();
    co_await stream.run([&](json::object& params, const SseEvent&) {
      received.push_back(params.at("data").at("payload").at("n").as_int64());
      if (received.size() == 3) stream.stop();
    });
    reconnects = stream.reconnects();
    last_id = stream.last_event_id();
  });
  EXPECT_EQ(received, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(last_event_ids, (std::vector<std::string>{"", "2"}));
  EXPECT_EQ(reconnects, 1u);
  EXPECT_EQ(last_id, "3");
}

TEST(EventStream, ResumesAfterAGivenIdAndAfterADroppedConnection) {
  asio::io_context io;
  std::vector<std::string> last_event_ids;
  FakeHttpServer server(io, [&](FakeExchange& exchange) -> asio::awaitable<void> {
    if (co_await lifecycle(exchange)) co_return;
    last_event_ids.push_back(exchange.header("Last-Event-ID"));
    co_await exchange.start_stream();
    // The stream stays open: the connection then waits for a next request.
    co_await exchange.chunk(record(static_cast<int>(40 + last_event_ids.size())));
  });
  std::vector<std::int64_t> received;
  run(io, server, [&]() -> asio::awaitable<void> {
    McpClient client(io.get_executor(), ServerUrl::parse(server.url()), nullptr);
    co_await client.connect();
    EventStreamOptions options;
    options.initial_backoff = std::chrono::milliseconds(1);
    options.resume_after = "40";  // what this client read on an earlier session
    EventStream stream(client, options);
    EXPECT_EQ(stream.last_event_id(), "40");
    // Both happen while run() waits for bytes, as they do when another
    // coroutine cuts or stops the stream (the soak's stream cutter).
    asio::steady_timer later(io);
    co_await stream.run([&](json::object& params, const SseEvent&) {
      received.push_back(params.at("data").at("payload").at("n").as_int64());
      later.expires_after(std::chrono::milliseconds(20));
      later.async_wait([&, first = received.size() == 1](boost::system::error_code ec) {
        if (ec) return;
        if (first) {
          stream.drop_connection();  // as a network failure would
        } else {
          stream.stop();
        }
      });
    });
  });
  EXPECT_EQ(received, (std::vector<std::int64_t>{41, 42}));
  EXPECT_EQ(last_event_ids, (std::vector<std::string>{"40", "41"}));
}

TEST(EventStream, ARefusedStreamIsSessionGone) {
  asio::io_context io;
  FakeHttpServer server(io, [&](FakeExchange& exchange) -> asio::awaitable<void> {
    if (co_await lifecycle(exchange)) co_return;
    co_await exchange.respond(404, R"({"detail":"Session not found"})");
  });
  run(io, server, [&]() -> asio::awaitable<void> {
    McpClient client(io.get_executor(), ServerUrl::parse(server.url()), nullptr);
    co_await client.connect();
    EventStream stream(client);
    bool gone = false;
    try {
      co_await stream.open();
    } catch (const SessionGone&) {
      gone = true;
    }
    EXPECT_TRUE(gone);
  });
}

}  // namespace
}  // namespace blender_bus::cli
