#include "transport/event_route.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/write.hpp>

#include "transport/http_chunk.hpp"
#include "transport/sse_format.hpp"

namespace blender_bus::transport {

namespace asio = boost::asio;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// What the writer and the peer watch share: the watch ends the wait when
// the client closes the connection (a stream that waits between polls would
// otherwise notice only at its next write).
struct Watch {
  explicit Watch(const asio::any_io_executor& executor) : timer(executor) {}
  asio::steady_timer timer;
  bool peer_gone = false;
};

asio::awaitable<void> watch_peer(std::shared_ptr<HttpStream> stream, std::shared_ptr<Watch> watch) {
  co_await stream->read_until_closed();
  watch->peer_gone = true;
  watch->timer.cancel();
}

}  // namespace

asio::awaitable<void> serve_event_stream(std::shared_ptr<HttpStream> stream,
                                         const HttpRequest& request,
                                         std::unique_ptr<EventFeed> feed,
                                         std::chrono::milliseconds interval,
                                         const HttpOptions& options) {
  http::response<http::empty_body> header{http::status::ok, request.version()};
  header.set(http::field::server, "blender-bus");
  header.set(http::field::content_type, "text/event-stream");
  header.set(http::field::cache_control, "no-store, no-transform");
  header.set("X-Accel-Buffering", "no");
  header.keep_alive(false);
  header.chunked(true);
  http::response_serializer<http::empty_body> serializer{header};
  stream->expires_after(options.write_timeout);
  auto [header_ec, header_n] = co_await http::async_write_header(*stream, serializer, kTuple);
  stream->expires_never();
  if (header_ec) co_return;

  const auto executor = co_await asio::this_coro::executor;
  auto watch = std::make_shared<Watch>(executor);
  asio::co_spawn(executor, watch_peer(stream, watch), asio::detached);
  auto last_write = std::chrono::steady_clock::now();
  while (!watch->peer_gone) {
    std::optional<std::string> events = feed->poll();
    if (!events) break;
    const auto now = std::chrono::steady_clock::now();
    if (events->empty() && now - last_write >= options.keep_alive_interval) {
      append_sse_comment(*events, "keep-alive");
    }
    if (!events->empty()) {
      HttpChunk chunk;
      chunk.assign(std::move(*events));
      if (!co_await chunk.write(*stream, options.write_timeout)) co_return;
      last_write = now;
    }
    watch->timer.expires_after(interval);
    co_await watch->timer.async_wait(kTuple);
  }
  if (!watch->peer_gone) {
    // The feed ended: the last chunk says the body is whole.
    co_await stream->write_rest(asio::buffer(std::string_view("0\r\n\r\n")), options.write_timeout);
  }
}

}  // namespace blender_bus::transport
