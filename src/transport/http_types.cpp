#include "transport/http_types.hpp"

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

}  // namespace blender_bus::transport
