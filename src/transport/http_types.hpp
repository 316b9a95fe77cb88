#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

#include "transport/http_stream.hpp"

namespace blender_bus::transport {

namespace beast = boost::beast;
namespace http = boost::beast::http;

using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

// Builds a response with a JSON body (or none when `body` is empty). The
// answer to HEAD carries the length GET's body would have, and no body.
HttpResponse make_json_response(const HttpRequest& request, http::status status, std::string body);

// Writes a whole response within `timeout` (a client that stops reading is
// cut off). Returns whether the connection may serve another request.
boost::asio::awaitable<bool> write_response(HttpStream& stream, HttpResponse response,
                                            std::chrono::seconds timeout);

}  // namespace blender_bus::transport
