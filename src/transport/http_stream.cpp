#include "transport/http_stream.hpp"

#include <array>

namespace blender_bus::transport {

boost::asio::awaitable<void> HttpStream::read_until_closed() {
  std::array<char, 256> scratch{};
  for (;;) {
    auto [ec, n] = co_await async_read_some(boost::asio::buffer(scratch),
                                            boost::asio::as_tuple(boost::asio::use_awaitable));
    if (ec) break;
  }
}

namespace asio = boost::asio;

HttpStream::HttpStream(asio::ip::tcp::socket socket) : tcp_(std::move(socket)) {}

asio::awaitable<boost::system::error_code> HttpStream::tls_handshake(
    asio::ssl::context& context, boost::beast::flat_buffer& received) {
  tls_ = std::make_unique<boost::beast::ssl_stream<boost::beast::tcp_stream&>>(tcp_, context);
  auto [ec, used] = co_await tls_->async_handshake(asio::ssl::stream_base::server, received.data(),
                                                   asio::as_tuple(asio::use_awaitable));
  received.consume(used);
  co_return ec;
}

void HttpStream::close() {
  boost::system::error_code ignored;
  tcp_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  tcp_.close();
}

}  // namespace blender_bus::transport
