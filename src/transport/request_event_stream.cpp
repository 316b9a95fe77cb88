#include "transport/request_event_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "json/serializer.hpp"
#include "transport/sse_format.hpp"
#include "transport/sse_response.hpp"

namespace blender_bus::transport {

namespace asio = boost::asio;

RequestEventStream::RequestEventStream(HttpStream& stream, const HttpRequest& request,
                                       const HttpOptions& options)
    : stream_(stream), request_(request), options_(options) {}

asio::awaitable<bool> RequestEventStream::notify(std::string_view message) {
  if (failed_) co_return false;
  if (!started_) {
    started_ = true;
    const bool opened = co_await write_sse_header(stream_, request_, options_.write_timeout);
    if (!opened) {
      failed_ = true;
      co_return false;
    }
  }
  std::string event;
  append_sse_event(event, message);
  chunk_.assign(std::move(event));
  const bool written = co_await chunk_.write(stream_, options_.write_timeout);
  if (!written) failed_ = true;
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
