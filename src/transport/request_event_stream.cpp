#include "transport/request_event_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "json/serializer.hpp"
#include "transport/sse_format.hpp"

namespace blender_bus::transport {

namespace asio = boost::asio;

RequestEventStream::RequestEventStream(HttpStream& stream, const HttpRequest& request,
                                       const HttpOptions& options)
    : stream_(stream), request_(request), options_(options) {}

asio::awaitable<bool> RequestEventStream::notify(std::string_view message) {
  if (failed_) co_return false;
  if (!started_) {
    started_ = true;
    http::response<http::empty_body> header{http::status::ok, request_.version()};
    header.set(http::field::server, "blender-bus");
    header.set(http::field::content_type, "text/event-stream");
    header.set(http::field::cache_control, "no-cache, no-transform");
    header.set("X-Accel-Buffering", "no");
    header.keep_alive(false);
    header.chunked(true);
    http::response_serializer<http::empty_body> serializer{header};
    stream_.expires_after(options_.write_timeout);
    auto [ec, n] =
        co_await http::async_write_header(stream_, serializer, asio::as_tuple(asio::use_awaitable));
    stream_.expires_never();
    if (ec) {
      failed_ = true;
      co_return false;
    }
  }
  std::string event;
  append_sse_event(event, message);
  chunk_.assign(std::move(event));
  if (!co_await chunk_.write(stream_, options_.write_timeout)) failed_ = true;
  co_return !failed_;
}

asio::awaitable<bool> RequestEventStream::finish(const boost::json::object& response) {
  // Plain statements around each co_await: GCC 12 miscompiles one inside a
  // short-circuit condition.
  const std::string last = blender_bus::json::to_text(response);
  bool sent = false;
  if (!failed_) sent = co_await notify(last);
  if (sent) co_await stream_.write_rest(http::make_chunk_last(), options_.write_timeout);
  stream_.close();
  co_return false;
}

}  // namespace blender_bus::transport
