#include "cli/mcp_client.hpp"

#include <boost/asio/use_awaitable.hpp>

#include "cli/sse_parser.hpp"

namespace blender_bus::cli {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {
// After the answer arrived on a POST's event stream the server should end
// it; this bounds how long we wait for that before dropping the connection.
constexpr auto kStreamTailTimeout = std::chrono::seconds(2);
}  // namespace

McpClient::McpClient(asio::any_io_executor executor, ServerUrl server,
                     std::shared_ptr<BearerAuth> auth, McpClientOptions options)
    : McpClient(std::make_shared<HttpConnection>(std::move(executor), std::move(server)),
                std::move(auth), std::move(options)) {}

McpClient::McpClient(std::shared_ptr<HttpConnection> connection, std::shared_ptr<BearerAuth> auth,
                     McpClientOptions options)
    : connection_(std::move(connection)),
      auth_(auth ? std::move(auth) : std::make_shared<BearerAuth>()),
      options_(std::move(options)) {}

HttpRequest McpClient::http_request(std::string method) const {
  HttpRequest request;
  request.method = std::move(method);
  request.target = connection_->server().target("/mcp");
  if (!auth_->empty()) request.headers.set("Authorization", auth_->header_value());
  if (!session_id_.empty()) request.headers.set("Mcp-Session-Id", session_id_);
  if (!protocol_version_.empty()) request.headers.set("MCP-Protocol-Version", protocol_version_);
  return request;
}

asio::awaitable<json::object> McpClient::initialize() {
  session_id_.clear();
  protocol_version_.clear();
  json::object params{
      {"protocolVersion", options_.protocol_version},
      {"capabilities", json::object{}},
      {"clientInfo", {{"name", options_.client_name}, {"version", options_.client_version}}}};
  const auto id = next_id_++;
  auto answer = co_await post(make_request(id, "initialize", params), id);
  if (auto* error = std::get_if<RpcErrorReply>(&answer)) {
    throw RpcError(error->code, error->message, error->data);
  }
  auto& result = std::get<RpcResult>(answer).result;
  if (!result.is_object()) throw RpcFramingError("initialize result is not an object");
  auto& object = result.as_object();
  if (const auto* version = object.if_contains("protocolVersion");
      version && version->is_string()) {
    protocol_version_ = std::string(version->as_string());
  } else {
    protocol_version_ = options_.protocol_version;
  }
  co_return std::move(object);
}

asio::awaitable<json::object> McpClient::connect() {
  auto result = co_await initialize();
  co_await notify("notifications/initialized");
  co_return result;
}

asio::awaitable<json::value> McpClient::request(std::string_view method, json::object params) {
  const auto id = next_id_++;
  auto answer = co_await post(make_request(id, method, params), id);
  if (auto* error = std::get_if<RpcErrorReply>(&answer)) {
    throw RpcError(error->code, error->message, error->data);
  }
  co_return std::move(std::get<RpcResult>(answer).result);
}

asio::awaitable<void> McpClient::notify(std::string_view method, json::object params) {
  co_await post(make_notification(method, params), std::nullopt);
}

asio::awaitable<ToolCallResult> McpClient::call_tool(std::string_view name,
                                                     json::object arguments) {
  // Built outside the co_await: GCC 12 rejects a braced list in a coroutine call.
  json::object params;
  params["name"] = name;
  params["arguments"] = std::move(arguments);
  auto result = co_await request("tools/call", std::move(params));
  co_return read_tool_call_result(result);
}

asio::awaitable<void> McpClient::ping() {
  co_await request("ping");
}

asio::awaitable<void> McpClient::close() {
  if (session_id_.empty()) co_return;
  HttpResponse response;
  // A token that expired while the session was open is refreshed once, as
  // for a POST: a long-lived client must still be able to end its session.
  for (int attempt = 0;; ++attempt) {
    const std::string token = auth_->token();
    response = co_await connection_->exchange(http_request("DELETE"), options_.timeout);
    if (response.head.status != 401 || attempt > 0 || !co_await auth_->refresh(token)) break;
  }
  // 404: already gone; 405: the server does not let clients end sessions.
  const auto status = response.head.status;
  session_id_.clear();
  if (status >= 400 && status != 404 && status != 405) {
    throw HttpError(status, std::move(response.body), "DELETE /mcp");
  }
}

asio::awaitable<RpcMessage> McpClient::post(const std::string& body,
                                            std::optional<std::int64_t> id) {
  HttpResponseHead head;
  for (int attempt = 0;; ++attempt) {
    auto request = http_request("POST");
    request.headers.set("Content-Type", "application/json");
    request.headers.set("Accept", "application/json, text/event-stream");
    request.body = body;
    const std::string token = auth_->token();
    head = co_await connection_->send(request, options_.timeout);
    if (head.status != 401) break;
    auto refused = co_await connection_->read_rest(options_.timeout);
    if (attempt > 0 || !co_await auth_->refresh(token)) {
      throw HttpError(401, std::move(refused), "POST /mcp");
    }
  }
  if (head.status == 404 && !session_id_.empty()) {
    // (The body is read first: GCC 12 miscompiles a co_await inside a throw.)
    auto body = co_await connection_->read_rest(options_.timeout);
    throw SessionGone(404, std::move(body), "POST /mcp");
  }
  if (head.status >= 400) {
    auto text = co_await connection_->read_rest(options_.timeout);
    // A JSON-RPC error in a 4xx body (parse error, bad request) says more
    // than the status does.
    try {
      auto message = parse_message(text);
      if (std::holds_alternative<RpcErrorReply>(message)) co_return message;
    } catch (const RpcFramingError&) {
      // Not JSON-RPC: the HTTP error below reports it.
    }
    throw HttpError(head.status, std::move(text), "POST /mcp");
  }
  if (!id) {
    co_await connection_->read_rest(options_.timeout);
    co_return RpcResult{};
  }
  if (auto session = head.headers.get("Mcp-Session-Id"); session && session_id_.empty()) {
    session_id_ = std::string(*session);
  }
  if (head.media_type() == "text/event-stream") {
    auto answer = co_await read_event_stream(*id);
    if (!answer) throw RpcFramingError("the event stream ended without an answer");
    co_return std::move(*answer);
  }
  auto text = co_await connection_->read_rest(options_.timeout);
  auto message = parse_message(text);
  if (auto* result = std::get_if<RpcResult>(&message); result && !id_matches(result->id, *id)) {
    throw RpcFramingError("answer for another request id");
  }
  co_return message;
}

asio::awaitable<std::optional<RpcMessage>> McpClient::read_event_stream(std::int64_t id) {
  SseParser parser;
  std::optional<RpcMessage> answer;
  auto on_event = [&](SseEvent&& event) {
    if (event.event != "message" || event.data.empty()) return;
    auto message = parse_message(event.data);
    if (auto* note = std::get_if<RpcNotification>(&message)) {
      if (on_notification_) on_notification_(*note);
    } else if (auto* result = std::get_if<RpcResult>(&message)) {
      if (id_matches(result->id, id)) answer = std::move(message);
    } else if (auto* error = std::get_if<RpcErrorReply>(&message)) {
      if (id_matches(error->id, id) || error->id.is_null()) answer = std::move(message);
    }
    // Requests from the server (e.g. its own ping) need capabilities we do
    // not declare; they are not answered.
  };
  while (!answer) {
    auto piece = co_await connection_->read_some(options_.timeout);
    if (!piece) co_return answer;
    parser.feed(*piece, on_event);
  }
  // The answer is in; the server should now end the stream.
  bool ended = false;
  try {
    while (auto piece = co_await connection_->read_some(kStreamTailTimeout)) {
      parser.feed(*piece, on_event);
    }
    ended = true;
  } catch (const NetworkError&) {
    // The answer is already in hand; a stream that ends badly only costs
    // the connection, which is closed below.
  }
  if (!ended) connection_->close();
  co_return answer;
}

}  // namespace blender_bus::cli
