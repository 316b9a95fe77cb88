#include "server/health_route.hpp"

#include <boost/json.hpp>

namespace blender_bus::server {

transport::RouteHandler make_health_route(const delivery::embedded::BusManager& buses) {
  return [&buses](const auth::HttpRequestView& request, const transport::RouteReply& reply) {
    if (request.path != "/health") return false;
    if (request.method != "GET" && request.method != "HEAD") {
      reply(auth::HttpReply{405, R"({"detail":"Method Not Allowed"})", {{"Allow", "GET"}}});
      return true;
    }
    boost::json::object body{
        {"status", "healthy"}, {"buses", buses.bus_count()}, {"clients", buses.client_count()}};
    reply(auth::HttpReply{200, boost::json::serialize(body), {}});
    return true;
  };
}

}  // namespace blender_bus::server
