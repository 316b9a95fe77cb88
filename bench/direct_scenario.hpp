#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <chrono>

#include "scenario_context.hpp"

namespace blender_bus::bench {

struct DirectOptions {
  std::size_t connections = 1;
  std::chrono::milliseconds duration{5000};
  std::chrono::milliseconds warmup{1000};
  bool persistent_receivers = false;  // the durable path (scenario 4)
  // Where the receivers connect (another node of a cluster: cross-node
  // sends); empty: the senders' server.
  std::string receiver_server;
  bool shared_bus = false;            // every client on one shared bus the run creates
};

// Scenario 1: `connections` senders, each on its own keep-alive connection,
// send back to back (closed loop: the next send when the last answered), each
// to its own receiver. Throughput counts records read from the receivers'
// streams; latency is send start -> record read.
boost::asio::awaitable<boost::json::object> run_direct(const ScenarioContext& context,
                                                       const DirectOptions& options);

}  // namespace blender_bus::bench
