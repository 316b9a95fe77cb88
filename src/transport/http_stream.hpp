#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace blender_bus::transport {

// Fields every answer on a stream carries besides its own (CORS on /mcp).
using ResponseFields = std::vector<std::pair<std::string, std::string>>;

// One accepted connection's bytes: plain TCP, or TLS over it once
// tls_handshake() succeeded. An asynchronous stream (Beast reads and writes
// HTTP through it) with one addition, write_now().
//
// Cost: over TCP, each operation is one branch away from the socket's own,
// and write_now() is the socket's non-blocking write_some. Over TLS, OpenSSL
// keeps the record layer's state, which a non-blocking write that the
// socket takes only part of would break, so write_now() takes nothing and
// every write is asynchronous: an SSE record is then handed to the stream's
// coroutine instead of leaving from the sender's handler (one resumption and
// one asynchronous write per batch), on top of the cipher itself.
class HttpStream {
 public:
  using executor_type = boost::beast::tcp_stream::executor_type;

  explicit HttpStream(boost::asio::ip::tcp::socket socket);
  HttpStream(const HttpStream&) = delete;
  HttpStream& operator=(const HttpStream&) = delete;

  // The server side of a TLS handshake. `received` holds what was read
  // while telling TLS from plain HTTP; the handshake consumes it. Bounded by
  // the current expiry (expires_after).
  boost::asio::awaitable<boost::system::error_code> tls_handshake(
      boost::asio::ssl::context& context, boost::beast::flat_buffer& received);
  bool secure() const { return tls_ != nullptr; }

  // What the answer to the request being served adds to its header
  // (write_response, write_sse_header and the session stream's header);
  // HttpServer sets it for each request.
  void set_response_fields(ResponseFields fields) { response_fields_ = std::move(fields); }
  const ResponseFields& response_fields() const { return response_fields_; }

  executor_type get_executor() { return tcp_.get_executor(); }
  // The TCP layer: its socket and its timeouts.
  boost::beast::tcp_stream& tcp() { return tcp_; }

  // Every pending and later asynchronous operation fails with
  // beast::error::timeout once this passes.
  void expires_after(std::chrono::steady_clock::duration timeout) { tcp_.expires_after(timeout); }
  void expires_never() { tcp_.expires_never(); }

  template <class MutableBufferSequence, class Token>
  auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBufferSequence& b) {
          if (tls_) {
            tls_->async_read_some(b, std::move(handler));
          } else {
            tcp_.async_read_some(b, std::move(handler));
          }
        },
        token, buffers);
  }

  template <class ConstBufferSequence, class Token>
  auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBufferSequence& b) {
          if (tls_) {
            tls_->async_write_some(b, std::move(handler));
          } else {
            tcp_.async_write_some(b, std::move(handler));
          }
        },
        token, buffers);
  }

  // Writes what the connection takes now, without waiting: the bytes
  // written (0 when the socket's buffer is full, which is not an error), or
  // `ec` set on a socket error. The socket must be non-blocking (HttpServer
  // sets it at accept). Most answers and records fit in the socket's buffer,
  // so the asynchronous write (a reactor operation, a timer, a completion) is
  // needed only for what is left. Over TLS: always 0 (see the class comment).
  template <class ConstBufferSequence>
  std::size_t write_now(const ConstBufferSequence& buffers, boost::system::error_code& ec) {
    if (tls_) return 0;
    const std::size_t n = tcp_.socket().write_some(buffers, ec);
    if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
      ec = {};
      return 0;
    }
    return ec ? 0 : n;
  }

  // Writes what write_now() left over within `timeout` (a client that stops
  // reading is cut off). Returns false on an error or the timeout.
  template <class ConstBufferSequence>
  boost::asio::awaitable<bool> write_rest(const ConstBufferSequence& rest,
                                          std::chrono::seconds timeout) {
    tcp_.expires_after(timeout);
    auto [ec, n] = co_await boost::asio::async_write(
        *this, rest, boost::asio::as_tuple(boost::asio::use_awaitable));
    tcp_.expires_never();
    co_return !ec;
  }

  // Reads and discards until the peer closes (or an error), so that a stream
  // that only writes notices a vanished client without waiting for its next
  // write.
  boost::asio::awaitable<void> read_until_closed();

  // Closes the connection (both directions, then the socket). Over TLS
  // without a close_notify: every answer is framed (Content-Length or a last
  // chunk), so a client cannot take a cut connection for a whole answer, and
  // an SSE stream's reader may still be pending, which a TLS shutdown's own
  // read would collide with.
  void close();

 private:
  boost::beast::tcp_stream tcp_;
  std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream&>> tls_;
  ResponseFields response_fields_;
};

}  // namespace blender_bus::transport
