#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace blender_bus::transport {

namespace beast = boost::beast;
namespace http = boost::beast::http;

using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

// Builds a response with a JSON body (or none when `body` is empty).
HttpResponse make_json_response(const HttpRequest& request, http::status status, std::string body);

}  // namespace blender_bus::transport
