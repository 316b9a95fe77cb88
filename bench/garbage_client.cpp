#include "garbage_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <optional>
#include <set>
#include <string>

#include "cli/mcp_client.hpp"
#include "parallel.hpp"

namespace blender_bus::bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kAnswerWait = std::chrono::seconds(5);
// Random bytes may look like the start of a request the server waits for.
constexpr auto kRandomBytesWait = std::chrono::seconds(2);

struct Answer {
  unsigned status = 0;  // 0: none before the wait ended
  std::string text;     // status line, headers and body as read
};

// Writes `bytes` on a connection of its own and reads until the server
// closes it, the answer's body is complete, or `wait` passes.
asio::awaitable<Answer> raw_exchange(asio::any_io_executor executor, const cli::ServerUrl& server,
                                     const std::string& bytes, std::chrono::milliseconds wait) {
  // Shared with the deadline's handler, which may run after this returns.
  auto socket = std::make_shared<tcp::socket>(executor);
  boost::system::error_code ec;
  const tcp::endpoint endpoint(asio::ip::make_address(server.host()),
                               static_cast<unsigned short>(std::stoi(server.port())));
  co_await socket->async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec));
  Answer answer;
  if (ec) co_return answer;
  asio::steady_timer deadline(executor, wait);
  deadline.async_wait([socket](boost::system::error_code waited) {
    boost::system::error_code ignored;
    if (!waited) socket->close(ignored);
  });
  // The server may answer (and close) before it has read everything.
  co_await asio::async_write(*socket, asio::buffer(bytes),
                             asio::redirect_error(asio::use_awaitable, ec));
  std::array<char, 16 * 1024> scratch{};
  for (;;) {
    const std::size_t n = co_await socket->async_read_some(
        asio::buffer(scratch), asio::redirect_error(asio::use_awaitable, ec));
    answer.text.append(scratch.data(), n);
    if (ec || answer.text.size() > 1024 * 1024) break;
    // A whole answer with Content-Length: enough (keep-alive would wait on).
    const auto head_end = answer.text.find("\r\n\r\n");
    if (head_end == std::string::npos) continue;
    const auto length_at = answer.text.find("Content-Length: ");
    if (length_at == std::string::npos || length_at > head_end) continue;
    const auto length = std::stoul(answer.text.substr(length_at + 16));
    if (answer.text.size() >= head_end + 4 + length) break;
  }
  deadline.cancel();
  boost::system::error_code ignored;
  socket->close(ignored);
  if (answer.text.starts_with("HTTP/1.") && answer.text.size() >= 12) {
    answer.status = static_cast<unsigned>(std::stoul(answer.text.substr(9, 3)));
  }
  co_return answer;
}

std::string request(const std::string& start, const std::vector<std::string>& headers,
                    const std::string& body, const cli::ServerUrl& server) {
  std::string out = start + "\r\nHost: " + server.authority() + "\r\n";
  for (const auto& header : headers) out += header + "\r\n";
  if (!body.empty()) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return out + "\r\n" + body;
}

struct GarbageKind {
  std::string name;
  std::set<unsigned> expected;  // statuses SPEC gives; 0: no answer is fine
  bool needs_token = false;
  bool needs_session = false;
  // What a good answer's body holds ("" for anything).
  std::string body_holds;
};

}  // namespace

GarbageClient::GarbageClient(SoakState& state, std::size_t user, std::chrono::milliseconds interval)
    : state_(state), user_(user), interval_(interval) {}

asio::awaitable<void> GarbageClient::run() {
  const auto& auth = state_.users[user_].auth;
  std::optional<cli::McpClient> session;
  const std::vector<GarbageKind> kinds = {
      {"random bytes", {400, 0}, false, false, ""},
      {"broken request line", {400}, false, false, ""},
      {"header over 32 KiB", {431}, false, false, ""},
      {"declared body over 4 MiB", {413}, true, false, ""},
      {"broken chunked body", {400}, true, true, ""},
      {"no bearer token", {401}, false, false, ""},
      {"forged bearer token", {401}, false, false, ""},
      {"foreign Origin", {403}, true, false, ""},
      {"unparsable JSON", {400}, true, true, "-32700"},
      {"JSON that is not JSON-RPC", {400}, true, true, "-32600"},
      {"unknown session id", {404}, true, false, ""},
      {"bad Last-Event-ID", {400}, true, true, ""},
      {"unknown method", {200}, true, true, "-32601"},
      {"arguments that break the schema", {200}, true, true, "\"isError\":true"},
  };
  while (!state_.stopping) {
    co_await sleep_for(interval_);
    if (state_.stopping) break;
    const GarbageKind& kind = kinds[static_cast<std::size_t>(
        state_.uniform(0, static_cast<std::int64_t>(kinds.size()) - 1))];
    if (kind.needs_session && !session) {
      try {
        session.emplace(state_.executor, state_.server, auth);
        co_await session->connect();
      } catch (const std::exception& e) {
        state_.errors.add(std::string("garbage client: cannot open its session: ") + e.what());
        session.reset();
        continue;
      }
    }
    const std::string token = auth->token();
    auto build = [&]() -> std::string {
      std::vector<std::string> headers;
      if (kind.needs_token) headers.push_back("Authorization: Bearer " + token);
      if (kind.needs_session) headers.push_back("Mcp-Session-Id: " + session->session_id());
      headers.push_back("Accept: application/json, text/event-stream");
      const auto& name = kind.name;
      if (name == "random bytes") {
        std::string bytes(static_cast<std::size_t>(state_.uniform(1, 2000)), '\0');
        for (char& c : bytes) c = static_cast<char>(state_.uniform(0, 255));
        return bytes;
      }
      if (name == "broken request line") return "P\x01ST /mcp HTTP/9.9\r\n\r\n";
      if (name == "header over 32 KiB") {
        headers.push_back("X-Filler: " + std::string(40 * 1024, 'x'));
        return request("POST /mcp HTTP/1.1", headers, "{}", state_.server);
      }
      if (name == "declared body over 4 MiB") {
        headers.push_back("Content-Type: application/json");
        headers.push_back("Content-Length: 5000000");
        return request("POST /mcp HTTP/1.1", headers, "", state_.server) + "{\"jsonrpc\":";
      }
      if (name == "broken chunked body") {
        headers.push_back("Transfer-Encoding: chunked");
        return request("POST /mcp HTTP/1.1", headers, "", state_.server) + "zz\r\n{}\r\n0\r\n\r\n";
      }
      if (name == "no bearer token") {
        return request("POST /mcp HTTP/1.1", headers, R"({"jsonrpc":"2.0","id":1,"method":"ping"})",
                       state_.server);
      }
      if (name == "forged bearer token") {
        headers.push_back("Authorization: Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.");
        return request("POST /mcp HTTP/1.1", headers, R"({"jsonrpc":"2.0","id":1,"method":"ping"})",
                       state_.server);
      }
      if (name == "foreign Origin") {
        headers.push_back("Origin: http://evil.example");
        return request("POST /mcp HTTP/1.1", headers, R"({"jsonrpc":"2.0","id":1,"method":"ping"})",
                       state_.server);
      }
      if (name == "unparsable JSON") {
        return request("POST /mcp HTTP/1.1", headers, R"({"jsonrpc":"2.0","id":)", state_.server);
      }
      if (name == "JSON that is not JSON-RPC") {
        return request("POST /mcp HTTP/1.1", headers, R"({"hello":["bus",1,null]})", state_.server);
      }
      if (name == "unknown session id") {
        headers.push_back("Mcp-Session-Id: 00000000000000000000000000000000");
        return request("POST /mcp HTTP/1.1", headers, R"({"jsonrpc":"2.0","id":1,"method":"ping"})",
                       state_.server);
      }
      if (name == "bad Last-Event-ID") {
        headers.push_back("Last-Event-ID: 12abc");
        return request("GET /mcp HTTP/1.1", headers, "", state_.server);
      }
      if (name == "unknown method") {
        return request("POST /mcp HTTP/1.1", headers,
                       R"({"jsonrpc":"2.0","id":7,"method":"blender/nonexistent"})", state_.server);
      }
      return request(
          "POST /mcp HTTP/1.1", headers,
          R"({"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"blender_register_client","arguments":{"client_uuid":5,"client_type":[]}}})",
          state_.server);
    };
    ++requests_;
    const auto wait = kind.name == "random bytes" ? kRandomBytesWait : kAnswerWait;
    Answer answer =
        co_await raw_exchange(state_.executor, state_.server, build(),
                              std::chrono::duration_cast<std::chrono::milliseconds>(wait));
    if (answer.status == 401 && kind.needs_token && co_await auth->refresh(token)) {
      --requests_;
      continue;  // the soak's token had expired: not the garbage's doing
    }
    if (answer.status == 404 && kind.needs_session) {
      session.reset();  // expired: a new one next time
      continue;
    }
    const std::string status = answer.status ? std::to_string(answer.status) : "no answer";
    state_.events.add("garbage answered: " + kind.name + " -> " + status);
    const bool body_ok =
        kind.body_holds.empty() || answer.text.find(kind.body_holds) != std::string::npos;
    if (!kind.expected.contains(answer.status) || !body_ok) {
      std::string spec;
      for (unsigned s : kind.expected) {
        if (!spec.empty()) spec += '/';
        spec += s ? std::to_string(s) : std::string("none");
      }
      state_.errors.add("garbage: " + kind.name + " answered " + status +
                        (body_ok ? "" : " without " + kind.body_holds) + " (SPEC: " + spec + ")");
    }
  }
  if (session) {
    try {
      co_await session->close();
    } catch (const std::exception& e) {
      state_.errors.add(std::string("garbage client: ending its session: ") + e.what());
    }
  }
}

}  // namespace blender_bus::bench
