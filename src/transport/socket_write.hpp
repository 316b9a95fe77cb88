#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>

namespace blender_bus::transport {

// Writes what a non-blocking socket takes now, without waiting: the bytes
// written (0 when its buffer is full, which is not an error), or `ec` set on a
// socket error. Most answers and records fit in the socket's buffer, so the
// asynchronous write (a reactor operation, a timer, a completion) is needed
// only for what is left.
template <class ConstBufferSequence>
std::size_t write_now(boost::asio::ip::tcp::socket& socket, const ConstBufferSequence& buffers,
                      boost::system::error_code& ec) {
  const std::size_t n = socket.write_some(buffers, ec);
  if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
    ec = {};
    return 0;
  }
  return ec ? 0 : n;
}

// Writes what write_now left over within `timeout` (a client that stops
// reading is cut off). Returns false on an error or the timeout.
template <class ConstBufferSequence>
boost::asio::awaitable<bool> write_rest(boost::beast::tcp_stream& stream,
                                        const ConstBufferSequence& rest,
                                        std::chrono::seconds timeout) {
  stream.expires_after(timeout);
  auto [ec, n] = co_await boost::asio::async_write(
      stream, rest, boost::asio::as_tuple(boost::asio::use_awaitable));
  stream.expires_never();
  co_return !ec;
}

}  // namespace blender_bus::transport
