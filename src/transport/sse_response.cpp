#include "transport/sse_response.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace blender_bus::transport {

namespace asio = boost::asio;

asio::awaitable<bool> write_sse_header(HttpStream& stream, const HttpRequest& request,
                                       std::chrono::seconds timeout) {
  http::response<http::empty_body> header{http::status::ok, request.version()};
  header.set(http::field::server, "blender-bus");
  header.set(http::field::content_type, "text/event-stream");
  header.set(http::field::cache_control, "no-cache, no-transform");
  header.set("X-Accel-Buffering", "no");
  header.keep_alive(false);
  header.chunked(true);
  for (const auto& [name, value] : stream.response_fields()) header.set(name, value);
  http::response_serializer<http::empty_body> serializer{header};
  stream.expires_after(timeout);
  auto [ec, n] =
      co_await http::async_write_header(stream, serializer, asio::as_tuple(asio::use_awaitable));
  stream.expires_never();
  co_return !ec;
}

}  // namespace blender_bus::transport
