#include "transport/sse_stream.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "transport/sse_format.hpp"

namespace blender_bus::transport {

namespace asio = boost::asio;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kEventsPerWrite = 256;

// Shared between the writer, the peer watcher and the queue's waker. Touched
// only on the connection's own io_context (one thread).
struct StreamState {
  explicit StreamState(const asio::any_io_executor& executor) : wake(executor) {}
  asio::steady_timer wake;
  bool peer_gone = false;
};

// Reads (and discards) until the peer closes, so a vanished client is noticed
// without waiting for the next write.
asio::awaitable<void> watch_peer(std::shared_ptr<beast::tcp_stream> stream,
                                 std::shared_ptr<StreamState> state) {
  std::array<char, 256> scratch{};
  for (;;) {
    auto [ec, n] = co_await stream->async_read_some(asio::buffer(scratch), kTuple);
    if (ec) break;
  }
  state->peer_gone = true;
  state->wake.cancel();
}

asio::awaitable<bool> write_chunk(beast::tcp_stream& stream, const std::string& data,
                                  const HttpOptions& options) {
  stream.expires_after(options.write_timeout);
  auto [ec, n] = co_await asio::async_write(stream, http::make_chunk(asio::buffer(data)), kTuple);
  stream.expires_never();
  co_return !ec;
}

}  // namespace

asio::awaitable<void> run_sse_stream(std::shared_ptr<beast::tcp_stream> stream,
                                     const HttpRequest& request, mcp::SessionPtr session,
                                     mcp::StreamSource& source, const HttpOptions& options) {
  const auto executor = co_await asio::this_coro::executor;
  auto state = std::make_shared<StreamState>(executor);
  mcp::OutboundQueue& queue = session->outbound();
  const std::uint64_t token =
      queue.attach([state, executor] { asio::post(executor, [state] { state->wake.cancel(); }); });
  if (token == 0) co_return;  // the session ended meanwhile

  http::response<http::empty_body> header{http::status::ok, request.version()};
  header.set(http::field::server, "blender-bus");
  header.set(http::field::content_type, "text/event-stream");
  header.set(http::field::cache_control, "no-cache, no-transform");
  header.set("X-Accel-Buffering", "no");
  header.set("Mcp-Session-Id", session->id());
  header.keep_alive(false);
  header.chunked(true);
  http::response_serializer<http::empty_body> serializer{header};
  stream->expires_after(options.write_timeout);
  auto [header_ec, header_n] = co_await http::async_write_header(*stream, serializer, kTuple);
  stream->expires_never();
  if (header_ec) {
    queue.detach(token);
    co_return;
  }
  asio::co_spawn(executor, watch_peer(stream, state), asio::detached);

  // Opening a stream is activity; so is every event written.
  session->touch();
  std::string buffer;
  bool healthy = true;
  while (healthy && !state->peer_gone && queue.is_current(token)) {
    // A wake that lands while a batch is read or written cancels nothing (no
    // wait is pending); the next read then finds its records, so none is missed.
    auto batch = source.next(*session, kEventsPerWrite);
    if (batch.empty()) {
      state->wake.expires_after(options.keep_alive_interval);
      auto [ec] = co_await state->wake.async_wait(kTuple);
      if (!ec && !state->peer_gone && queue.is_current(token)) {
        buffer.clear();
        append_sse_comment(buffer, "keep-alive");
        healthy = co_await write_chunk(*stream, buffer, options);
      }
      continue;
    }
    if (!batch.events.empty()) {
      buffer.clear();
      for (const auto& event : batch.events) append_sse_event(buffer, event.id, event.data);
      healthy = co_await write_chunk(*stream, buffer, options);
      if (!healthy) break;
      session->touch();
    }
    source.delivered(*session, batch);
  }
  queue.detach(token);
  if (healthy && !state->peer_gone) {
    stream->expires_after(options.write_timeout);
    co_await asio::async_write(*stream, http::make_chunk_last(), kTuple);
  }
  beast::error_code ignored;
  stream->socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream->close();
}

}  // namespace blender_bus::transport
