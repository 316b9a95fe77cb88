#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <vector>

#include "scenario_context.hpp"

namespace blender_bus::bench {

struct IdleOptions {
  std::size_t sessions = 10000;
  std::size_t setup_workers = 64;
  std::chrono::milliseconds settle{2000};
};

// Scenario 3: `sessions` sessions, each registered with its stream open and
// then idle. The time to register them all, and the server's resident memory
// per session (VmRSS after minus before, divided by the count).
boost::asio::awaitable<boost::json::object> run_idle(const ScenarioContext& context,
                                                     const IdleOptions& options);

}  // namespace blender_bus::bench
