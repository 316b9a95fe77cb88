#include "cli/event_stream.hpp"

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace blender_bus::cli {

namespace asio = boost::asio;
namespace json = boost::json;

EventStream::EventStream(const McpClient& client, EventStreamOptions options)
    : EventStream(client.get_executor(), client.server(), client.auth(), client.session_id(),
                  client.protocol_version(), options) {}

EventStream::EventStream(asio::any_io_executor executor, ServerUrl server,
                         std::shared_ptr<BearerAuth> auth, std::string session_id,
                         std::string protocol_version, EventStreamOptions options)
    : connection_(executor, std::move(server)),
      backoff_timer_(executor),
      auth_(auth ? std::move(auth) : std::make_shared<BearerAuth>()),
      session_id_(std::move(session_id)),
      protocol_version_(std::move(protocol_version)),
      options_(options) {}

void EventStream::stop() {
  stopped_ = true;
  backoff_timer_.cancel();
  connection_.close();
}

asio::awaitable<void> EventStream::open() {
  HttpResponseHead head;
  for (int attempt = 0;; ++attempt) {
    HttpRequest request;
    request.method = "GET";
    request.target = connection_.server().target("/mcp");
    request.headers.set("Accept", "text/event-stream");
    if (!auth_->empty()) request.headers.set("Authorization", auth_->header_value());
    request.headers.set("Mcp-Session-Id", session_id_);
    if (!protocol_version_.empty()) request.headers.set("MCP-Protocol-Version", protocol_version_);
    // The server replays what followed this id (SPEC §9).
    if (!last_event_id().empty()) request.headers.set("Last-Event-ID", last_event_id());
    const std::string token = auth_->token();
    head = co_await connection_.send(request, options_.open_timeout);
    if (head.status != 401) break;
    auto refused = co_await connection_.read_rest(options_.open_timeout);
    if (attempt > 0 || !co_await auth_->refresh(token)) {
      throw HttpError(401, std::move(refused), "GET /mcp");
    }
  }
  if (head.status != 200) {
    auto body = co_await connection_.read_rest(options_.open_timeout);
    if (head.status == 404) throw SessionGone(404, std::move(body), "GET /mcp");
    throw HttpError(head.status, std::move(body), "GET /mcp");
  }
  if (head.media_type() != "text/event-stream") {
    connection_.close();
    throw HttpError(head.status, "", "GET /mcp answered " + head.media_type() + ", not a stream");
  }
  parser_.reset_connection();
  is_open_ = true;
}

asio::awaitable<void> EventStream::reopen_after_backoff() {
  auto delay = options_.initial_backoff;
  // The server may ask for a reconnection delay of its own.
  if (auto retry = parser_.retry_ms()) delay = std::chrono::milliseconds(*retry);
  while (!stopped_) {
    backoff_timer_.expires_after(delay);
    boost::system::error_code waited;  // operation_aborted: stop() cancelled it
    co_await backoff_timer_.async_wait(asio::redirect_error(asio::use_awaitable, waited));
    if (stopped_ || waited) co_return;
    ++reconnects_;
    try {
      co_await open();
      co_return;
    } catch (const NetworkError&) {
      // Network trouble: the server may be restarting; keep trying. Refusals
      // (SessionGone, HttpError) are not network errors and end run().
    }
    delay = std::min(delay * 2, options_.max_backoff);
  }
}

asio::awaitable<void> EventStream::run(Handler on_message) {
  co_await run_events([&on_message](const SseEvent& event) {
    boost::system::error_code ec;
    auto value = json::parse(event.data, ec);
    if (ec || !value.is_object()) return;  // not JSON-RPC: nothing for us
    auto& message = value.as_object();
    const auto* method = message.if_contains("method");
    if (method == nullptr || !method->is_string() ||
        method->as_string() != "notifications/message") {
      return;
    }
    auto* params = message.if_contains("params");
    if (params == nullptr || !params->is_object()) return;
    on_message(params->as_object(), event);
  });
}

asio::awaitable<void> EventStream::run_events(EventHandler on_event) {
  if (!is_open_ && !stopped_) co_await open();
  auto on_sse = [&on_event](SseEvent&& event) {
    if (event.event != "message" || event.data.empty()) return;
    on_event(event);
  };
  while (!stopped_) {
    bool dropped = false;
    try {
      auto piece = co_await connection_.read_some(options_.idle_timeout);
      if (piece) {
        parser_.feed(*piece, on_sse);
      } else {
        dropped = true;  // the server ended the stream (restart, replacement)
      }
    } catch (const NetworkError&) {
      dropped = true;  // reset, timeout, or stop() closing the socket
    }
    if (dropped && !stopped_) {
      is_open_ = false;
      connection_.close();
      co_await reopen_after_backoff();
    }
  }
}

}  // namespace blender_bus::cli
