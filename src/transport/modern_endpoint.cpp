#include "transport/modern_endpoint.hpp"

#include <boost/asio/this_coro.hpp>
#include <memory>

#include "json/serializer.hpp"
#include "mcp/call_context.hpp"
#include "mcp/modern_request.hpp"
#include "mcp/session.hpp"
#include "transport/listen_stream.hpp"
#include "transport/request_event_stream.hpp"
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

ModernEndpoint::ModernEndpoint(const HttpOptions& options, mcp::Dispatcher& dispatcher,
                               mcp::ResourceFeed* feed, mcp::TaskBook* tasks)
    : options_(options),
      feed_(feed),
      modern_(dispatcher, mcp::ModernOffer{feed != nullptr, tasks}) {}

asio::awaitable<bool> ModernEndpoint::answer(HttpStream& stream, const HttpRequest& request,
                                             AcceptedMedia accepted, int status,
                                             json::object response) {
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

asio::awaitable<bool> ModernEndpoint::listen(const std::shared_ptr<HttpStream>& stream,
                                             const HttpRequest& request,
                                             const auth::Principal& principal,
                                             AcceptedMedia accepted, const mcp::RpcMessage& message,
                                             const mcp::RequestMeta& meta) {
  auto refuse_listen = [&](mcp::RpcError error) {
    return answer(*stream, request, accepted, 200,
                  mcp::ModernDispatcher::error_response(message.id, error));
  };
  const json::object* params = message.params.if_object();
  const json::value* filter_value = params ? params->if_contains("notifications") : nullptr;
  const json::object* filter = filter_value ? filter_value->if_object() : nullptr;
  const mcp::RpcError not_an_object{mcp::error_code::invalid_params,
                                    "Invalid params: \"notifications\" must be an object"};
  const mcp::RpcError not_uris{
      mcp::error_code::invalid_params,
      "Invalid params: \"resourceSubscriptions\" must be an array of uris"};
  if (!filter) co_return co_await refuse_listen(not_an_object);
  // Task notifications are the tasks extension's: asked for without it, the
  // listen is refused (-32021); with it, they are acknowledged as not
  // honoured (tasks/get is how a task is followed here).
  if (filter->contains("taskIds") && !mcp::declares_tasks(meta)) {
    co_return co_await answer(
        *stream, request, accepted, 400,
        mcp::ModernDispatcher::error_response(
            message.id, mcp::tasks_capability_missing("a listen for taskIds")));
  }
  // The graceful closure's result: empty but for the subscription id the
  // revision's schema requires in its _meta.
  json::object closing_meta;
  closing_meta["io.modelcontextprotocol/subscriptionId"] = message.id;
  json::object closing_result;
  closing_result["_meta"] = std::move(closing_meta);
  // Named before use: GCC 12 may release a temporary of a full-expression
  // that holds a co_await twice (PR 100611).
  json::object closing_response =
      mcp::make_result(message.id, modern_.complete(std::move(closing_result)));
  const auto executor = co_await asio::this_coro::executor;
  auto listen_stream = std::make_shared<ListenStream>(executor, stream, options_, message.id,
                                                      std::move(closing_response), listens_);
  std::vector<ListenStream::Subscription> watches;
  json::array honoured_uris;
  if (const json::value* wanted = filter->if_contains("resourceSubscriptions")) {
    if (!wanted->is_array()) {
      co_return co_await refuse_listen(not_uris);
    }
    for (const json::value& uri : wanted->get_array()) {
      if (!uri.is_string()) {
        co_return co_await refuse_listen(not_uris);
      }
      mcp::WatchAnswer watched =
          feed_->watch(principal.user_id, uri.get_string(), [weak = std::weak_ptr(listen_stream)] {
            if (auto self = weak.lock()) self->wake();
          });
      if (!watched.watch) {
        // Not a client of a bus the caller is on: whether it exists elsewhere
        // is not said (a shared bus answers as its tools do: "bus not found").
        std::string message =
            "Invalid params: cannot subscribe to " + std::string(uri.get_string());
        message += watched.refusal.empty()
                       ? " (subscribe to blender://bus/inbox/<client_uuid> of a client on your own "
                         "bus, or add ?bus_id=<id> for one on a shared bus you are on)"
                       : ": " + watched.refusal;
        mcp::RpcError refused{mcp::error_code::invalid_params, std::move(message)};
        json::object data;
        data["uri"] = uri.get_string();
        if (!watched.refusal.empty()) data["error"] = watched.refusal;
        refused.data = std::move(data);
        co_return co_await refuse_listen(std::move(refused));
      }
      honoured_uris.push_back(uri);
      watches.push_back({std::string(uri.get_string()), std::move(watched.watch)});
    }
  }
  // List changes never happen here (the tools, prompts and resources are
  // fixed), so those asks are acknowledged as not honoured.
  json::object honoured;
  if (!honoured_uris.empty()) honoured["resourceSubscriptions"] = std::move(honoured_uris);
  co_await listen_stream->run(request, std::move(watches), std::move(honoured));
  co_return false;
}

asio::awaitable<bool> ModernEndpoint::serve(const std::shared_ptr<HttpStream>& owner,
                                            const HttpRequest& request,
                                            const auth::Principal& principal,
                                            AcceptedMedia accepted, mcp::RpcMessage message) {
  HttpStream& stream = *owner;
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
  if (feed_ && message.method == "subscriptions/listen") {
    co_return co_await listen(owner, request, principal, accepted, message, meta);
  }
  // The caller for this request alone: tools act as the bearer's user and
  // bind nothing to a session.
  // Named first, then brought together: GCC 12 releases a temporary of a
  // full-expression that holds a co_await twice (PR 100611), which freed
  // this request's session while a tool still used it.
  const auto executor = co_await asio::this_coro::executor;
  auto request_session = std::make_shared<mcp::Session>(std::string(), principal.user_id);
  mcp::CallContext context{std::move(request_session), executor};
  context.modern = true;
  // Notifications for this request only when its _meta asked for a level,
  // and only on a stream the client accepts.
  RequestEventStream events(stream, request, options_);
  if (meta.log_level && accepted.event_stream) {
    context.stream = &events;
    context.log_level = meta.log_level;
  }
  mcp::ModernAnswer result = co_await modern_.handle(context, message, meta);
  if (events.started()) co_return co_await events.finish(result.response);
  co_return co_await answer(stream, request, accepted, result.http_status, result.response);
}

}  // namespace blender_bus::transport
