#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <vector>

#include "scenario_context.hpp"

namespace blender_bus::bench {

// Scenario 6, the ceiling: the HTTP shape of the MCP load against any server
// (nginx answering a static JSON body), so that each figure can be set
// against what this machine does at all for such a request.

struct HttpLoadOptions {
  std::size_t connections = 1;
  std::chrono::milliseconds duration{5000};
  std::chrono::milliseconds warmup{1000};
};

// Closed loop of POST /mcp requests shaped like a direct send (same headers,
// same body size), one per connection at a time: requests/s and latency.
boost::asio::awaitable<boost::json::object> run_http_load(const ScenarioContext& context,
                                                          const HttpLoadOptions& options);

struct HttpIdleOptions {
  std::size_t sessions = 10000;
  std::size_t setup_workers = 64;
  std::chrono::milliseconds settle{2000};
};

// What registering an idle session costs in HTTP terms: three POSTs over a
// pooled connection and one GET on a connection then left open and idle.
// Time for them all, and the server's resident memory per idle connection.
boost::asio::awaitable<boost::json::object> run_http_idle(const ScenarioContext& context,
                                                          const HttpIdleOptions& options);

}  // namespace blender_bus::bench
