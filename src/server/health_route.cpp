#include "server/health_route.hpp"

#include <boost/json.hpp>

namespace blender_bus::server {

namespace {

boost::json::object cluster_view(const cluster::ClusterStatus& status) {
  boost::json::array nodes;
  for (const auto& name : status.live_nodes) nodes.emplace_back(name);
  boost::json::object view{
      {"nats", nats::to_string(status.nats)},
      {"server", status.server},
      {"jetstream", status.jetstream},
      {"replicas", status.replicas},
      {"nodes", std::move(nodes)},
  };
  if (!status.jetstream) view["jetstream_error"] = status.jetstream_error;
  return view;
}

}  // namespace

transport::RouteHandler make_health_route(const delivery::Directory& directory,
                                          const cluster::Cluster* cluster) {
  return [&directory, cluster](const auth::HttpRequestView& request,
                               const transport::RouteReply& reply) {
    if (request.path != "/health") return false;
    if (request.method != "GET" && request.method != "HEAD") {
      reply(auth::HttpReply{405, R"({"detail":"Method Not Allowed"})", {{"Allow", "GET"}}});
      return true;
    }
    const std::vector<delivery::BusId> buses = directory.bus_ids();
    std::size_t clients = 0;
    for (const auto& bus : buses) {
      const bus::ClientSnapshot snapshot = directory.snapshot(bus);
      clients += snapshot.persistent.size() + snapshot.ephemeral.size();
    }
    boost::json::object body{{"status", "healthy"}, {"buses", buses.size()}, {"clients", clients}};
    unsigned code = 200;
    if (cluster != nullptr) {
      const cluster::ClusterStatus status = cluster->status();
      body["node"] = status.node;
      body["cluster"] = cluster_view(status);
      if (status.nats != nats::ConnectionState::connected || !status.jetstream) {
        body["status"] = "degraded";
        code = 503;
      }
    }
    reply(auth::HttpReply{code, boost::json::serialize(body), {}});
    return true;
  };
}

}  // namespace blender_bus::server
