#include "transport/http_types.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace blender_bus::transport {

HttpResponse make_json_response(const HttpRequest& request, http::status status, std::string body) {
  HttpResponse response{status, request.version()};
  response.set(http::field::server, "blender-bus");
  if (!body.empty()) response.set(http::field::content_type, "application/json");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

boost::asio::awaitable<bool> write_response(beast::tcp_stream& stream, HttpResponse response,
                                            std::chrono::seconds timeout) {
  const bool keep_alive = response.keep_alive();
  stream.expires_after(timeout);
  auto [ec, n] = co_await http::async_write(stream, response,
                                            boost::asio::as_tuple(boost::asio::use_awaitable));
  co_return !ec && keep_alive;
}

}  // namespace blender_bus::transport
