#include "transport/sse_stream.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>

#include "transport/http_chunk.hpp"
#include "transport/sse_format.hpp"

namespace blender_bus::transport {

namespace asio = boost::asio;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kEventsPerWrite = 256;

// Shared between the stream's coroutine, the peer watcher and the queue's
// waker. Touched only on the connection's own io_context (one thread): the
// waker checks that before it touches anything but `executor` and `wake`.
struct StreamState {
  StreamState(const asio::any_io_executor& executor, mcp::Session& session,
              mcp::StreamSource& source, HttpStream& stream)
      : executor(executor), wake(executor), session(session), source(source), stream(stream) {
    if (auto* io = executor.target<asio::io_context::executor_type>()) io_executor = *io;
  }

  bool on_own_thread() const { return io_executor && io_executor->running_in_this_thread(); }

  asio::any_io_executor executor;
  std::optional<asio::io_context::executor_type> io_executor;
  asio::steady_timer wake;
  // The coroutine waits for news with nothing written or in flight: a waker
  // on this thread may write for it (see deliver_now). Only then.
  bool parked = false;
  bool peer_gone = false;
  bool failed = false;  // a write failed outside the coroutine
  // The coroutine's frame owns these while it runs; parked implies it runs.
  mcp::Session& session;
  mcp::StreamSource& source;
  HttpStream& stream;
  // A chunk the socket took only part of, and the batch it carries (marked
  // delivered once all of it is written).
  HttpChunk chunk;
  mcp::StreamBatch in_flight;
};

// Notices a vanished client without waiting for the next write.
asio::awaitable<void> watch_peer(std::shared_ptr<HttpStream> stream,
                                 std::shared_ptr<StreamState> state) {
  co_await stream->read_until_closed();
  state->peer_gone = true;
  state->wake.cancel();
}

std::string sse_events(const mcp::StreamBatch& batch) {
  std::string out;
  std::size_t size = 0;
  for (const auto& event : batch.events) size += event.data->size() + 32;  // + "id: N\ndata: \n\n"
  out.reserve(size);
  for (const auto& event : batch.events) append_sse_event(out, event.id, *event.data);
  return out;
}

// Delivers on the waking thread, straight from the sender's handler, while the
// stream is parked: no hand-off to the coroutine, no timer, no completion per
// record; a broadcast reaches every stream of a thread in one pass. Whatever
// the socket does not take at once (or an error) goes back to the coroutine;
// over TLS that is every batch (HttpStream::write_now takes nothing there).
void deliver_now(StreamState& state) {
  for (;;) {
    mcp::StreamBatch batch = state.source.next(state.session, kEventsPerWrite);
    if (batch.empty()) return;
    const bool more = batch.more;
    if (!batch.events.empty()) {
      state.chunk.assign(sse_events(batch));
      boost::system::error_code ec;
      if (!state.chunk.write_now(state.stream, ec)) {
        state.failed = true;  // the records stay in their inboxes
        state.parked = false;
        state.wake.cancel();
        return;
      }
      if (state.chunk.pending()) {
        state.in_flight = std::move(batch);
        state.parked = false;
        state.wake.cancel();
        return;
      }
      state.chunk.clear();
      state.session.touch();
    }
    state.source.delivered(state.session, batch);
    if (!more) return;
  }
}

// On the stream's thread: deliver now when the coroutine is parked, else
// wake it. `queue` is only touched while parked (the coroutine, which keeps
// the session and so the queue alive, is then suspended, not finished).
void wake_on_own_thread(StreamState& state, mcp::OutboundQueue& queue, std::uint64_t token) {
  if (!state.parked || !queue.is_current(token)) {
    state.wake.cancel();
    return;
  }
  try {
    deliver_now(state);
  } catch (const std::exception&) {
    // Not the sender's failure: the stream's coroutine reads again and meets
    // (and reports) the error itself.
    state.parked = false;
    state.wake.cancel();
  }
}

}  // namespace

asio::awaitable<void> run_sse_stream(std::shared_ptr<HttpStream> stream, const HttpRequest& request,
                                     mcp::SessionPtr session, mcp::StreamSource& source,
                                     const HttpOptions& options) {
  const auto executor = co_await asio::this_coro::executor;
  auto state = std::make_shared<StreamState>(executor, *session, source, *stream);
  mcp::OutboundQueue& queue = session->outbound();
  auto token = std::make_shared<std::uint64_t>(0);
  *token = queue.attach([state, token, &queue] {
    if (state->on_own_thread()) {
      wake_on_own_thread(*state, queue, *token);
    } else {
      // The stream's thread delivers it itself, in one handler (a broadcast
      // from another thread costs each stream one post, not a resumption).
      asio::post(state->executor,
                 [state, token, &queue] { wake_on_own_thread(*state, queue, *token); });
    }
  });
  if (*token == 0) co_return;  // the session ended meanwhile

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
    queue.detach(*token);
    co_return;
  }
  // The socket is non-blocking (HttpServer sets it at accept), as write_now needs.
  asio::co_spawn(executor, watch_peer(stream, state), asio::detached);

  // Opening a stream is activity; so is every event written.
  session->touch();
  bool healthy = true;
  while (healthy && !state->failed && !state->peer_gone && queue.is_current(*token)) {
    if (state->chunk.pending()) {
      // A batch's chunk, assigned below or left partly written by deliver_now.
      healthy = co_await state->chunk.write(state->stream, options.write_timeout);
      if (!healthy) break;
      session->touch();
      source.delivered(*session, state->in_flight);
      state->in_flight = {};
      continue;
    }
    // A wake that lands while a batch is read or written cancels nothing (no
    // wait is pending); the next read then finds its records, so none is missed.
    auto batch = source.next(*session, kEventsPerWrite);
    if (batch.empty()) {
      state->wake.expires_after(options.keep_alive_interval);
      state->parked = true;
      auto [ec] = co_await state->wake.async_wait(kTuple);
      state->parked = false;
      // The timer may have expired while a waker (deliver_now) ran before this
      // resumption and left a chunk half written: that chunk goes first (the
      // loop finishes it), and a stream with data in flight needs no keep-alive.
      if (!ec && !state->chunk.pending() && !state->failed && !state->peer_gone &&
          queue.is_current(*token)) {
        std::string comment;
        append_sse_comment(comment, "keep-alive");
        state->chunk.assign(std::move(comment));
        healthy = co_await state->chunk.write(state->stream, options.write_timeout);
      }
      continue;
    }
    if (batch.events.empty()) {
      source.delivered(*session, batch);  // all skipped (below the session's level)
      continue;
    }
    state->chunk.assign(sse_events(batch));
    state->in_flight = std::move(batch);
  }
  queue.detach(*token);
  if (healthy && !state->failed && !state->peer_gone) {
    co_await stream->write_rest(http::make_chunk_last(), options.write_timeout);
  }
  stream->close();
}

}  // namespace blender_bus::transport
