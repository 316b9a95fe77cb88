#include "transport/http_types.hpp"

#include <string>

namespace blender_bus::transport {

HttpResponse make_json_response(const HttpRequest& request, http::status status, std::string body) {
  HttpResponse response{status, request.version()};
  response.set(http::field::server, "blender-bus");
  if (!body.empty()) response.set(http::field::content_type, "application/json");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  if (request.method() == http::verb::head) response.body().clear();  // Content-Length stays
  return response;
}

namespace {

// The whole answer in one buffer: status line, fields as set (the callers
// prepared the payload), body. Beast's serializer walks a generic buffer
// sequence per write and was a visible share of a send's CPU.
std::string response_bytes(const HttpResponse& response) {
  std::string out;
  out.reserve(256 + response.body().size());
  out += response.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(response.result_int());
  out += ' ';
  out += response.reason();
  out += "\r\n";
  for (const auto& field : response.base()) {
    out += field.name_string();
    out += ": ";
    out += field.value();
    out += "\r\n";
  }
  out += "\r\n";
  out += response.body();
  return out;
}

}  // namespace

boost::asio::awaitable<bool> write_response(HttpStream& stream, HttpResponse response,
                                            std::chrono::seconds timeout) {
  for (const auto& [name, value] : stream.response_fields()) response.set(name, value);
  const bool keep_alive = response.keep_alive();
  const std::string bytes = response_bytes(response);
  boost::system::error_code ec;
  // What the connection does not take now is written within the timeout.
  const std::size_t now = stream.write_now(boost::asio::buffer(bytes), ec);
  if (ec) co_return false;
  if (now < bytes.size() &&
      !co_await stream.write_rest(boost::asio::buffer(bytes.data() + now, bytes.size() - now),
                                  timeout)) {
    co_return false;
  }
  co_return keep_alive;
}

}  // namespace blender_bus::transport
