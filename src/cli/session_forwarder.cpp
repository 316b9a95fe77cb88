#include "cli/session_forwarder.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "cli/json_rpc.hpp"
#include "cli/sse_parser.hpp"
#include "json/serializer.hpp"

namespace blender_bus::cli {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// JSON-RPC's range for implementation-defined server errors: the bridge's
// own failures (the bus unreachable or refusing), never the server's replies.
constexpr std::int64_t kBridgeError = -32000;
// After the last answer arrived on a POST's event stream the server should
// end it; this bounds how long we wait for that.
constexpr auto kStreamTailTimeout = std::chrono::seconds(2);

// The error object of a JSON-RPC error reply in `body`, if it is one.
std::optional<json::object> rpc_error_in(std::string_view body) {
  boost::system::error_code ec;
  auto value = json::parse(body, ec);
  if (ec || !value.is_object()) return std::nullopt;
  auto* error = value.as_object().if_contains("error");
  if (error == nullptr || !error->is_object()) return std::nullopt;
  return std::move(error->as_object());
}

}  // namespace

SessionForwarder::SessionForwarder(asio::any_io_executor executor, ServerUrl server,
                                   std::shared_ptr<BearerAuth> auth, Sink to_client,
                                   SessionForwarderOptions options)
    : executor_(std::move(executor)),
      server_(std::move(server)),
      auth_(auth ? std::move(auth) : std::make_shared<BearerAuth>()),
      to_client_(std::move(to_client)),
      options_(options) {}

HttpRequest SessionForwarder::post_request(const ClientMessage& message) const {
  HttpRequest request;
  request.method = "POST";
  request.target = server_.target("/mcp");
  request.headers.set("Content-Type", "application/json");
  request.headers.set("Accept", "application/json, text/event-stream");
  if (!auth_->empty()) request.headers.set("Authorization", auth_->header_value());
  // An initialize starts a session: it carries neither header.
  if (!message.initialize) {
    if (!session_id_.empty()) request.headers.set("Mcp-Session-Id", session_id_);
    if (!protocol_version_.empty()) {
      request.headers.set("MCP-Protocol-Version", protocol_version_);
    }
  }
  request.body = message.text;
  return request;
}

std::shared_ptr<HttpConnection> SessionForwarder::acquire() {
  std::shared_ptr<HttpConnection> connection;
  if (idle_.empty()) {
    connection = std::make_shared<HttpConnection>(executor_, server_);
  } else {
    connection = std::move(idle_.back());
    idle_.pop_back();
  }
  busy_.insert(connection);
  return connection;
}

void SessionForwarder::release(const std::shared_ptr<HttpConnection>& connection, bool reusable) {
  busy_.erase(connection);
  if (reusable && !aborted_ && connection->is_open() &&
      idle_.size() < options_.max_idle_connections) {
    idle_.push_back(connection);
  } else {
    connection->close();
  }
}

void SessionForwarder::abort() {
  aborted_ = true;
  for (const auto& connection : busy_) connection->close();
  for (const auto& connection : idle_) connection->close();
  idle_.clear();
}

asio::awaitable<void> SessionForwarder::forward(const ClientMessage& message) {
  if (aborted_) {
    refuse(message, {}, "the bridge is shutting down");
    co_return;
  }
  if (message.initialize) {  // the client starts a (new) session
    session_id_.clear();
    protocol_version_.clear();
  }
  auto unanswered = message.request_ids;
  auto connection = acquire();
  std::string failure;
  try {
    co_await exchange(message, *connection, unanswered);
  } catch (const HttpError& e) {
    failure = e.status() == 401
                  ? "not authorized: " + e.detail() +
                        " (log in again with `blender-bus login`, or check --token-file)"
                  : e.what();
  } catch (const NetworkError& e) {
    failure = std::string("cannot reach the bus: ") + e.what();
  } catch (const RpcFramingError& e) {
    failure = std::string("unreadable answer from the bus: ") + e.what();
  }
  release(connection, failure.empty());
  if (failure.empty()) co_return;
  if (aborted_) failure = "the bridge is shutting down";
  ClientMessage rest = message;
  rest.request_ids = std::move(unanswered);
  refuse(rest, {}, failure);
}

asio::awaitable<void> SessionForwarder::exchange(const ClientMessage& message,
                                                 HttpConnection& connection,
                                                 std::vector<json::value>& unanswered) {
  const auto timeout = options_.request_timeout;
  HttpResponseHead head;
  for (int attempt = 0;; ++attempt) {
    const std::string token = auth_->token();
    head = co_await connection.send(post_request(message), timeout);
    if (head.status != 401) break;
    auto refused = co_await connection.read_rest(timeout);
    if (attempt > 0 || !co_await auth_->refresh(token)) {
      throw HttpError(401, std::move(refused), "POST /mcp");
    }
  }
  if (head.status >= 400) {
    auto body = co_await connection.read_rest(timeout);
    std::string reason = "the bus answered HTTP " + std::to_string(head.status);
    if (head.status == 404 && !message.initialize) {
      reason += ": it no longer knows this session (it may have restarted); restart the bridge";
    } else {
      reason += ": " + HttpError(head.status, body, "").detail();
    }
    refuse(message, body, std::move(reason));
    unanswered.clear();
    co_return;
  }
  if (message.initialize) {
    if (auto session = head.headers.get("Mcp-Session-Id")) session_id_ = std::string(*session);
  }
  if (!message.expects_answer()) {  // 202 for a notification or a response
    co_await connection.read_rest(timeout);
    co_return;
  }
  if (head.media_type() != "text/event-stream") {
    auto body = co_await connection.read_rest(timeout);
    deliver(std::move(body), message, unanswered);
    co_return;
  }
  SseParser parser;
  auto on_event = [&](SseEvent&& event) {
    if (event.event == "message" && !event.data.empty()) {
      deliver(std::move(event.data), message, unanswered);
    }
  };
  while (!unanswered.empty()) {
    auto piece = co_await connection.read_some(timeout);
    if (!piece) throw RpcFramingError("the event stream ended without an answer");
    parser.feed(*piece, on_event);
  }
  // Everything is answered; the server should now end the stream.
  bool ended = false;
  try {
    while (auto piece = co_await connection.read_some(kStreamTailTimeout)) {
      parser.feed(*piece, on_event);
    }
    ended = true;
  } catch (const NetworkError&) {
    // The answers are in hand; a stream that ends badly only costs the
    // connection, closed below.
  }
  if (!ended) connection.close();
}

void SessionForwarder::deliver(std::string text, const ClientMessage& message,
                               std::vector<json::value>& unanswered) {
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  if (!ec && value.is_object()) {
    auto& object = value.as_object();
    const auto* id = object.if_contains("id");
    const bool is_answer = object.contains("result") || object.contains("error");
    if (id != nullptr && is_answer) {
      std::erase(unanswered, *id);
      // Keep the negotiated version for the headers of later requests.
      if (message.initialize && !message.batch) {
        if (const auto* result = object.if_contains("result"); result && result->is_object()) {
          if (const auto* version = result->as_object().if_contains("protocolVersion");
              version && version->is_string()) {
            protocol_version_ = std::string(version->as_string());
          }
        }
      }
    }
  } else if (!ec && value.is_array()) {
    for (const auto& item : value.as_array()) {
      if (const auto* object = item.if_object()) {
        if (const auto* id = object->if_contains("id")) std::erase(unanswered, *id);
      }
    }
  }
  to_client_(as_one_line(std::move(text)));
}

void SessionForwarder::refuse(const ClientMessage& message, std::string_view http_body,
                              std::string reason) {
  if (!message.expects_answer()) {
    spdlog::warn("stdio bridge: a message was not delivered: {}", reason);
    return;
  }
  // A JSON-RPC error in the body (parse error, invalid request) says more
  // than the HTTP status does; it is answered to each request with its id.
  auto server_error = rpc_error_in(http_body);
  for (const auto& id : message.request_ids) {
    if (server_error) {
      json::object reply{{"jsonrpc", "2.0"}, {"id", id}, {"error", *server_error}};
      to_client_(blender_bus::json::to_text(reply));
    } else {
      to_client_(error_reply_line(id, kBridgeError, "blender-bus bridge: " + reason));
    }
  }
}

asio::awaitable<void> SessionForwarder::end_session() {
  if (session_id_.empty()) co_return;
  HttpRequest request;
  request.method = "DELETE";
  request.target = server_.target("/mcp");
  if (!auth_->empty()) request.headers.set("Authorization", auth_->header_value());
  request.headers.set("Mcp-Session-Id", session_id_);
  if (!protocol_version_.empty()) request.headers.set("MCP-Protocol-Version", protocol_version_);
  session_id_.clear();
  HttpConnection connection(executor_, server_);
  try {
    auto response = co_await connection.exchange(request, std::chrono::seconds(5));
    // 404: already gone; 405: the server does not let clients end sessions.
    const auto status = response.head.status;
    if (status >= 400 && status != 404 && status != 405) {
      spdlog::warn("stdio bridge: ending the session: HTTP {} {}", status,
                   HttpError(status, response.body, "").detail());
    }
  } catch (const NetworkError& e) {
    spdlog::warn("stdio bridge: ending the session: {}", e.what());
  }
}

}  // namespace blender_bus::cli
