#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <optional>

#include "mcp/session.hpp"
#include "mcp/stream_source.hpp"
#include "transport/http_chunk.hpp"
#include "transport/http_options.hpp"
#include "transport/http_stream.hpp"
#include "transport/http_types.hpp"

namespace blender_bus::transport {

// A session's standalone SSE stream (the response to GET /mcp), and the one
// writer of its connection while it lives: every undelivered record of the
// session's clients from `source`, oldest first, then each new one as it
// arrives, with keep-alive comments in between. Ends when the client goes
// away, a newer GET replaces this stream, the session ends, or a write stalls
// past the write timeout (a slow reader: its records wait in their inboxes
// for the next GET). The response header is written here.
//
// News arrives through the session's StreamSignal, from any thread. On the
// stream's own thread, while the stream is parked (nothing written or in
// flight), the records are written at once from the waking handler: no
// hand-off, no timer, no completion per record, and a broadcast reaches every
// stream of a thread in one pass (the measured fast path, bench/notes.md).
// From another thread, one post to the stream's thread does the same there.
// Whatever the socket does not take at once goes back to the stream's
// coroutine.
class SseStream : public std::enable_shared_from_this<SseStream> {
 public:
  // Serves the stream to its end. Must run on the connection's executor.
  static boost::asio::awaitable<void> serve(std::shared_ptr<HttpStream> stream,
                                            const HttpRequest& request, mcp::SessionPtr session,
                                            mcp::StreamSource& source, const HttpOptions& options);

  SseStream(const boost::asio::any_io_executor& executor, mcp::SessionPtr session,
            mcp::StreamSource& source, std::shared_ptr<HttpStream> stream,
            const HttpOptions& options);
  SseStream(const SseStream&) = delete;
  SseStream& operator=(const SseStream&) = delete;

 private:
  boost::asio::awaitable<void> run(const HttpRequest& request);
  // Reads (and discards) until the peer closes, so a vanished client is
  // noticed without waiting for the next write.
  boost::asio::awaitable<void> watch_peer();
  // Writes the chunk: first without waiting, then what is left within the
  // write timeout.
  boost::asio::awaitable<bool> write_chunk();

  // The session's signal fired, on any thread.
  void signalled();
  // On the stream's thread: deliver now when parked, else wake the coroutine.
  void wake_on_own_thread();
  // Writes what the source has while parked (see the class comment).
  void deliver_now();
  bool on_own_thread() const { return io_executor_ && io_executor_->running_in_this_thread(); }

  // Touched only on the connection's own io_context (one thread), except
  // `executor_` and `wake_`'s executor, which signalled() reads to post.
  boost::asio::any_io_executor executor_;
  std::optional<boost::asio::io_context::executor_type> io_executor_;
  boost::asio::steady_timer wake_;
  mcp::SessionPtr session_;
  mcp::StreamSource& source_;
  std::shared_ptr<HttpStream> stream_;
  const HttpOptions& options_;
  std::uint64_t token_ = 0;  // the session signal's attachment
  // The coroutine waits for news with nothing written or in flight: a signal
  // on this thread may write for it (deliver_now). Only then.
  bool parked_ = false;
  bool peer_gone_ = false;
  bool failed_ = false;  // a write failed outside the coroutine
  // A chunk the socket took only part of, and the batch it carries (marked
  // delivered once all of it is written).
  HttpChunk chunk_;
  mcp::StreamBatch in_flight_;
};

}  // namespace blender_bus::transport
