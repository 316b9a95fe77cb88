#include "idle_scenario.hpp"

#include <algorithm>
#include <iostream>
#include <list>

#include "clock.hpp"
#include "parallel.hpp"
#include "process_memory.hpp"
#include "receiver.hpp"

namespace blender_bus::bench {

namespace asio = boost::asio;
namespace json = boost::json;

asio::awaitable<json::object> run_idle(const ScenarioContext& context, const IdleOptions& options) {
  Tally tally;
  std::list<Receiver> receivers;
  std::vector<Receiver*> by_index;
  for (std::size_t i = 0; i < options.sessions; ++i) {
    by_index.push_back(&receivers.emplace_back(
        context.auth, context.run_id + "-idle-r" + std::to_string(i), tally));
  }
  const bool measure = !context.server_pids.empty();
  const auto rss_before = measure ? resident_bytes(context.server_pids) : 0;
  auto pool = context.connection_pool(options.setup_workers);
  const auto start = steady_ns();
  co_await for_each_parallel(context.executor, options.sessions, pool.size(),
                             [&](std::size_t i, std::size_t worker) -> asio::awaitable<void> {
                               co_await by_index[i]->join(pool[worker], "");
                             });
  const double register_s = seconds_between(start, steady_ns());
  // The setup connections go; only the idle streams stay.
  for (auto& connection : pool) connection->close();
  co_await sleep_for(options.settle);
  const auto rss_after = measure ? resident_bytes(context.server_pids) : 0;
  const auto streaming = std::count_if(by_index.begin(), by_index.end(),
                                       [](const Receiver* r) { return r->streaming(); });
  json::object result{{"scenario", "idle"},
                      {"sessions", options.sessions},
                      {"streams_open", streaming},
                      {"register_s", register_s},
                      {"sessions_per_s", static_cast<double>(options.sessions) / register_s}};
  if (measure) {
    result["rss_before_bytes"] = rss_before;
    result["rss_after_bytes"] = rss_after;
    const double per = (static_cast<double>(rss_after) - static_cast<double>(rss_before)) /
                       static_cast<double>(options.sessions);
    result["rss_per_session_bytes"] = per;
  }
  std::cerr << "bench: idle: " << options.sessions << " sessions registered in " << register_s
            << " s\n";
  co_await for_each_parallel(context.executor, by_index.size(), pool.size(),
                             [&](std::size_t i, std::size_t worker) -> asio::awaitable<void> {
                               co_await by_index[i]->leave(pool[worker]);
                             });
  co_return result;
}

}  // namespace blender_bus::bench
