#include "transport/modern_endpoint.hpp"

#include <boost/asio/this_coro.hpp>
#include <memory>

#include "json/serializer.hpp"
#include "mcp/call_context.hpp"
#include "mcp/modern_request.hpp"
#include "mcp/session.hpp"
#include "transport/sse_format.hpp"

namespace blender_bus::transport {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

std::optional<std::string_view> optional_header(const HttpRequest& request, std::string_view name) {
  auto it = request.find(name);
  if (it == request.end()) return std::nullopt;
  return std::string_view(it->value());
}

mcp::ModernHeaders modern_headers(const HttpRequest& request) {
  return mcp::ModernHeaders{optional_header(request, "MCP-Protocol-Version"),
                            optional_header(request, "Mcp-Method"),
                            optional_header(request, "Mcp-Name")};
}

}  // namespace

ModernEndpoint::ModernEndpoint(const HttpOptions& options, mcp::Dispatcher& dispatcher)
    : options_(options), modern_(dispatcher, mcp::ModernOffer{}) {}

asio::awaitable<bool> ModernEndpoint::answer(HttpStream& stream, const HttpRequest& request,
                                             AcceptedMedia accepted, int status,
                                             const json::object& response) {
  const std::string body = blender_bus::json::to_text(response);
  const auto code = static_cast<http::status>(status);
  if (accepted.json || !accepted.event_stream) {
    co_return co_await write_response(stream, make_json_response(request, code, body),
                                      options_.write_timeout);
  }
  // Only SSE is acceptable: one event, no event id (the revision has no
  // resumption; an id would make a client try one).
  HttpResponse sse{code, request.version()};
  sse.set(http::field::server, "blender-bus");
  sse.set(http::field::content_type, "text/event-stream");
  sse.set(http::field::cache_control, "no-cache, no-transform");
  sse.set("X-Accel-Buffering", "no");
  sse.keep_alive(request.keep_alive());
  append_sse_event(sse.body(), body);
  sse.prepare_payload();
  co_return co_await write_response(stream, std::move(sse), options_.write_timeout);
}

asio::awaitable<bool> ModernEndpoint::refuse(HttpStream& stream, const HttpRequest& request,
                                             const mcp::RpcError& error) {
  co_return co_await write_response(
      stream,
      make_json_response(
          request, http::status::bad_request,
          blender_bus::json::to_text(mcp::ModernDispatcher::error_response(nullptr, error))),
      options_.write_timeout);
}

asio::awaitable<bool> ModernEndpoint::serve(HttpStream& stream, const HttpRequest& request,
                                            const auth::Principal& principal,
                                            AcceptedMedia accepted, mcp::RpcMessage message) {
  if (message.kind == mcp::MessageKind::response) {
    // This server sends no requests, so no response can be awaited.
    co_return co_await refuse(
        stream, request,
        mcp::RpcError{mcp::error_code::invalid_request,
                      "Invalid Request: this server sends no requests to answer"});
  }
  auto validated = mcp::validate_modern_request(message, modern_headers(request));
  if (auto* rejection = std::get_if<mcp::ModernRejection>(&validated)) {
    co_return co_await answer(stream, request, accepted, rejection->http_status,
                              mcp::ModernDispatcher::error_response(message.id, rejection->error));
  }
  if (message.kind == mcp::MessageKind::notification) {
    // notifications/cancelled and the like: over HTTP a closed stream is the
    // cancellation, so there is nothing to do.
    co_return co_await write_response(
        stream, make_json_response(request, http::status::accepted, ""), options_.write_timeout);
  }
  const mcp::RequestMeta& meta = std::get<mcp::RequestMeta>(validated);
  // The caller for this request alone: tools act as the bearer's user and
  // bind nothing to a session.
  mcp::CallContext context{std::make_shared<mcp::Session>(std::string(), principal.user_id),
                           co_await asio::this_coro::executor};
  mcp::ModernAnswer result = co_await modern_.handle(context, message, meta);
  co_return co_await answer(stream, request, accepted, result.http_status, result.response);
}

}  // namespace blender_bus::transport
