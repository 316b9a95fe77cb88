#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "cli/http_message.hpp"
#include "cli/server_url.hpp"

namespace blender_bus::cli {

// One HTTP/1.1 keep-alive connection to the server, one exchange at a time.
// Connects lazily; when a reused connection turns out to have been closed by
// the server while idle, the request is sent once more on a fresh one (the
// server never saw it). Not thread-safe: use it from one strand.
class HttpConnection {
 public:
  using Duration = std::chrono::steady_clock::duration;

  // An answer read whole (exchange, read_rest) longer than
  // `max_answer_bytes` throws AnswerTooLarge; streamed ones are bounded per
  // event by their SseParser.
  HttpConnection(boost::asio::any_io_executor executor, ServerUrl server,
                 std::size_t max_answer_bytes = kMaxAnswerBytes);
  ~HttpConnection();
  HttpConnection(HttpConnection&&) noexcept;
  HttpConnection& operator=(HttpConnection&&) noexcept;

  const ServerUrl& server() const;
  boost::asio::any_io_executor get_executor() const;

  // Sends the request and reads the whole response, whatever its status.
  boost::asio::awaitable<HttpResponse> exchange(const HttpRequest& request, Duration timeout);

  // Streaming use: send() reads only the head; read_some() then yields the
  // body piece by piece ("" when only framing arrived) and nullopt at its end.
  // `idle_timeout` bounds each wait for bytes; zero waits forever.
  boost::asio::awaitable<HttpResponseHead> send(const HttpRequest& request, Duration timeout);
  boost::asio::awaitable<std::optional<std::string>> read_some(Duration idle_timeout);
  boost::asio::awaitable<std::string> read_rest(Duration timeout);

  // Closes the socket: a pending operation, and any read after it, fails
  // (NetworkError), even when the bytes had arrived; the next request
  // reconnects. Call it on the connection's executor.
  void close();
  bool is_open() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace blender_bus::cli
