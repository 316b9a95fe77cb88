#include "transport/sse_stream.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "transport/sse_format.hpp"

namespace blender_bus::transport {

namespace asio = boost::asio;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kEventsPerWrite = 256;

std::string sse_events(const mcp::StreamBatch& batch) {
  std::string out;
  std::size_t size = 0;
  for (const auto& event : batch.events) size += event.data->size() + 32;  // + "id: N\ndata: \n\n"
  out.reserve(size);
  // Id 0 is an event outside the session's resumable sequence (a shared
  // bus's record): written without an id, so the client's Last-Event-ID
  // keeps naming the last resumable one.
  for (const auto& event : batch.events) {
    if (event.id) {
      append_sse_event(out, event.id, *event.data);
    } else {
      append_sse_event(out, *event.data);
    }
  }
  return out;
}

}  // namespace

SseStream::SseStream(const asio::any_io_executor& executor, mcp::SessionPtr session,
                     mcp::StreamSource& source, std::shared_ptr<HttpStream> stream,
                     const HttpOptions& options)
    : executor_(executor),
      wake_(executor),
      session_(std::move(session)),
      source_(source),
      stream_(std::move(stream)),
      options_(options) {
  if (auto* io = executor.target<asio::io_context::executor_type>()) io_executor_ = *io;
}

asio::awaitable<void> SseStream::serve(std::shared_ptr<HttpStream> stream,
                                       const HttpRequest& request, mcp::SessionPtr session,
                                       mcp::StreamSource& source, const HttpOptions& options) {
  const auto executor = co_await asio::this_coro::executor;
  auto self =
      std::make_shared<SseStream>(executor, std::move(session), source, std::move(stream), options);
  co_await self->run(request);
}

asio::awaitable<void> SseStream::watch_peer() {
  auto self = shared_from_this();
  co_await stream_->read_until_closed();
  peer_gone_ = true;
  wake_.cancel();
}

asio::awaitable<bool> SseStream::write_chunk() {
  co_return co_await chunk_.write(*stream_, options_.write_timeout);
}

void SseStream::signalled() {
  if (on_own_thread()) {
    wake_on_own_thread();
  } else {
    // The stream's thread delivers it itself, in one handler (a broadcast
    // from another thread costs each stream one post, not a resumption).
    asio::post(executor_, [self = shared_from_this()] { self->wake_on_own_thread(); });
  }
}

void SseStream::wake_on_own_thread() {
  if (!parked_ || !session_->stream_signal().is_current(token_)) {
    wake_.cancel();
    return;
  }
  try {
    deliver_now();
  } catch (const std::exception&) {
    // Not the sender's failure: the stream's coroutine reads again and meets
    // (and reports) the error itself.
    parked_ = false;
    wake_.cancel();
  }
}

void SseStream::deliver_now() {
  for (;;) {
    mcp::StreamBatch batch = source_.next(*session_, kEventsPerWrite);
    if (batch.empty()) return;
    const bool more = batch.more;
    if (!batch.events.empty()) {
      chunk_.assign(sse_events(batch));
      boost::system::error_code ec;
      if (!chunk_.write_now(*stream_, ec)) {
        failed_ = true;  // the records stay in their inboxes
        parked_ = false;
        wake_.cancel();
        return;
      }
      if (chunk_.pending()) {
        in_flight_ = std::move(batch);
        parked_ = false;
        wake_.cancel();
        return;
      }
      chunk_.clear();
      session_->touch();
    }
    source_.delivered(*session_, batch);
    if (!more) return;
  }
}

asio::awaitable<void> SseStream::run(const HttpRequest& request) {
  mcp::StreamSignal& signal = session_->stream_signal();
  token_ = signal.attach([self = shared_from_this()] { self->signalled(); });
  if (token_ == 0) co_return;  // the session ended meanwhile

  http::response<http::empty_body> header{http::status::ok, request.version()};
  header.set(http::field::server, "blender-bus");
  header.set(http::field::content_type, "text/event-stream");
  header.set(http::field::cache_control, "no-cache, no-transform");
  header.set("X-Accel-Buffering", "no");
  header.set("Mcp-Session-Id", session_->id());
  header.keep_alive(false);
  header.chunked(true);
  for (const auto& [name, value] : stream_->response_fields()) header.set(name, value);
  http::response_serializer<http::empty_body> serializer{header};
  stream_->expires_after(options_.write_timeout);
  auto [header_ec, header_n] = co_await http::async_write_header(*stream_, serializer, kTuple);
  stream_->expires_never();
  if (header_ec) {
    signal.detach(token_);
    co_return;
  }
  // The socket is non-blocking (HttpServer sets it at accept), as write_now needs.
  asio::co_spawn(executor_, watch_peer(), asio::detached);

  // Opening a stream is activity; so is every event written.
  session_->touch();
  bool healthy = true;
  while (healthy && !failed_ && !peer_gone_ && signal.is_current(token_)) {
    if (chunk_.pending()) {
      // A batch's chunk, assigned below or left partly written by deliver_now.
      healthy = co_await write_chunk();
      if (!healthy) break;
      session_->touch();
      source_.delivered(*session_, in_flight_);
      in_flight_ = {};
      continue;
    }
    // A wake that lands while a batch is read or written cancels nothing (no
    // wait is pending); the next read then finds its records, so none is missed.
    auto batch = source_.next(*session_, kEventsPerWrite);
    if (batch.empty()) {
      wake_.expires_after(options_.keep_alive_interval);
      parked_ = true;
      auto [ec] = co_await wake_.async_wait(kTuple);
      parked_ = false;
      // The timer may have expired while a signal (deliver_now) ran before this
      // resumption and left a chunk half written: that chunk goes first (the
      // loop finishes it), and a stream with data in flight needs no keep-alive.
      if (!ec && !chunk_.pending() && !failed_ && !peer_gone_ && signal.is_current(token_)) {
        std::string comment;
        append_sse_comment(comment, "keep-alive");
        chunk_.assign(std::move(comment));
        healthy = co_await write_chunk();
      }
      continue;
    }
    if (batch.events.empty()) {
      source_.delivered(*session_, batch);  // all skipped (below the session's level)
      continue;
    }
    chunk_.assign(sse_events(batch));
    in_flight_ = std::move(batch);
  }
  signal.detach(token_);
  if (healthy && !failed_ && !peer_gone_) {
    co_await stream_->write_rest(http::make_chunk_last(), options_.write_timeout);
  }
  stream_->close();
}

}  // namespace blender_bus::transport
