#include "server/metrics_route.hpp"

#include "auth/access_policy.hpp"
#include "auth/route_authorization.hpp"
#include "metrics/exposition.hpp"

namespace blender_bus::server {

std::string render_metrics(const MetricsSources& sources) {
  metrics::Exposition out;
  sources.recorded.write(out);
  sources.tool_calls.write(out);

  // Gauges and the dropped total from the ports, one bus at a time.
  delivery::Directory& directory = sources.service.directory();
  delivery::RecordLog& log = sources.service.record_log();
  std::uint64_t dropped = sources.service.dropped_on_removed_buses();
  std::uint64_t online = 0, offline = 0, stale = 0, pending = 0, jobs = 0;
  for (const auto& bus : directory.bus_ids()) {
    const delivery::RecordCounts counts = log.bus_counts(bus);
    dropped += counts.dropped;
    pending += counts.pending;
    jobs += directory.open_job_count(bus);
    const bus::ClientSnapshot clients = directory.snapshot(bus);
    for (const auto* bucket : {&clients.persistent, &clients.ephemeral}) {
      for (const auto& client : *bucket) {
        if (client.online) {
          ++online;
        } else if (client.stale) {
          ++stale;
        } else {
          ++offline;
        }
      }
    }
  }
  out.family("blender_bus_records_dropped_total", "counter",
             "Records evicted from an inbox before they were delivered (an inbox bound)");
  out.sample("blender_bus_records_dropped_total", {}, dropped);
  out.family("blender_bus_sessions", "gauge", "Open MCP sessions");
  out.sample("blender_bus_sessions", {}, static_cast<std::uint64_t>(sources.sessions.size()));
  out.family("blender_bus_clients", "gauge",
             "Registered clients by state: online (holds a stream), offline, stale (persistent, "
             "offline and silent past --stale-after)");
  out.sample("blender_bus_clients", {{"state", "online"}}, online);
  out.sample("blender_bus_clients", {{"state", "offline"}}, offline);
  out.sample("blender_bus_clients", {{"state", "stale"}}, stale);
  out.family("blender_bus_inbox_records", "gauge", "Records waiting undelivered in inboxes");
  out.sample("blender_bus_inbox_records", {}, pending);
  out.family("blender_bus_jobs_open", "gauge",
             "Jobs sent with from_uuid that have not reached a final status");
  out.sample("blender_bus_jobs_open", {}, jobs);
  out.family("blender_bus_login_failures_total", "counter", "Logins refused for bad credentials");
  out.sample("blender_bus_login_failures_total", {}, sources.login_failures());
  if (sources.cluster) sources.cluster(out);
  return out.take();
}

transport::RouteHandler make_metrics_route(const auth::RequestAuthenticator& authenticator,
                                           MetricsSources sources) {
  return [&authenticator, sources = std::move(sources)](const auth::HttpRequestView& request,
                                                        const transport::RouteReply& reply) {
    if (request.path != "/metrics") return false;
    if (request.method != "GET" && request.method != "HEAD") {
      reply(auth::HttpReply{405, R"({"detail":"Method Not Allowed"})", {{"Allow", "GET"}}});
      return true;
    }
    auto access = auth::authorize(authenticator, request.authorization, auth::may_read_metrics,
                                  "Reading metrics needs an admin");
    if (auto* refusal = std::get_if<auth::HttpReply>(&access)) {
      reply(std::move(*refusal));
      return true;
    }
    reply(auth::HttpReply{200,
                          render_metrics(sources),
                          {{"Content-Type", std::string(metrics::Exposition::kContentType)},
                           {"Cache-Control", "no-store"}}});
    return true;
  };
}

}  // namespace blender_bus::server
