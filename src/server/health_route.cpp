#include "server/health_route.hpp"

#include <boost/json.hpp>

namespace blender_bus::server {

transport::RouteHandler make_health_route(const bus::BusManager& buses) {
  return [&buses](const auth::HttpRequestView& request) -> std::optional<auth::HttpReply> {
    if (request.path != "/health") return std::nullopt;
    if (request.method != "GET" && request.method != "HEAD") {
      return auth::HttpReply{405, R"({"detail":"Method Not Allowed"})", {{"Allow", "GET"}}};
    }
    boost::json::object body{{"status", "healthy"},
                             {"buses", buses.bus_count()},
                             {"clients", buses.client_count()}};
    return auth::HttpReply{200, boost::json::serialize(body), {}};
  };
}

}  // namespace blender_bus::server
