#pragma once

#include <cstdint>
#include <functional>

#include "auth/request_authenticator.hpp"
#include "delivery/bus_service.hpp"
#include "mcp/session_registry.hpp"
#include "metrics/exposition.hpp"
#include "metrics/server_metrics.hpp"
#include "metrics/tool_call_metrics.hpp"
#include "transport/route_handler.hpp"

namespace blender_bus::server {

// What a scrape reads: the recorded counters and histograms, and the state
// the gauges are computed from at scrape time (nothing on the send path).
struct MetricsSources {
  const metrics::ServerMetrics& recorded;
  const metrics::ToolCallMetrics& tool_calls;
  delivery::BusService& service;  // the gauges, read through its ports
  const mcp::SessionRegistry& sessions;
  std::function<std::uint64_t()> login_failures;
  // A cluster node's own families (write_cluster_metrics); unset on a single server.
  std::function<void(metrics::Exposition&)> cluster = {};
};

// The Prometheus text of every metric (format 0.0.4).
std::string render_metrics(const MetricsSources& sources);

// GET /metrics: the text above, for a bearer that may read metrics
// (auth::may_read_metrics); 401 without a valid token, 403 for others.
transport::RouteHandler make_metrics_route(const auth::RequestAuthenticator& authenticator,
                                           MetricsSources sources);

}  // namespace blender_bus::server
