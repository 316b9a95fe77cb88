#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <vector>

#include "scenario_context.hpp"

namespace blender_bus::bench {

struct FanoutOptions {
  std::vector<std::size_t> sizes{10, 100, 1000, 10000};
  std::size_t rounds = 5;
  std::size_t setup_workers = 64;
  // Every second receiver connects here (another cluster node: a broadcast
  // over two nodes); empty: all on the sender's server.
  std::string other_server;
};

// Scenario 2: one broadcast reaching `size` subscribed sessions, for each
// size (the receivers are added as the size grows). Per round: the time from
// the send to the last record read, and records/s. Returns one result per size.
boost::asio::awaitable<boost::json::array> run_fanout(const ScenarioContext& context,
                                                      const FanoutOptions& options);

}  // namespace blender_bus::bench
