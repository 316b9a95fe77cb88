#include "transport/http_stream.hpp"

namespace blender_bus::transport {

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
