#include "fanout_scenario.hpp"

#include <algorithm>
#include <iostream>
#include <list>

#include "clock.hpp"
#include "parallel.hpp"
#include "process_cpu.hpp"
#include "receiver.hpp"

namespace blender_bus::bench {

namespace asio = boost::asio;
namespace json = boost::json;

asio::awaitable<json::array> run_fanout(const ScenarioContext& context,
                                        const FanoutOptions& options) {
  Tally tally;
  std::list<Receiver> receivers;
  std::vector<Receiver*> by_index;
  auto pool = context.connection_pool(options.setup_workers);
  auto other = context.connection_pool(options.other_server.empty() ? 0 : options.setup_workers);
  if (!options.other_server.empty()) {
    const auto elsewhere = cli::ServerUrl::parse(options.other_server);
    for (auto& connection : other) {
      connection = std::make_shared<cli::HttpConnection>(context.executor, elsewhere);
    }
  }
  // Receiver i's connection: every second one on the other server, if any.
  auto connection_of = [&](std::size_t i, std::size_t worker) {
    return other.empty() || i % 2 == 0 ? pool[worker] : other[worker];
  };

  cli::McpClientOptions client_options;
  client_options.client_name = "blender-bus-bench";
  cli::McpClient sender(context.executor, context.server, context.auth, client_options);
  co_await sender.connect();

  json::array results;
  for (const auto size : options.sizes) {
    const auto first_new = by_index.size();
    while (by_index.size() < size) {
      by_index.push_back(&receivers.emplace_back(
          context.auth, context.run_id + "-fan-r" + std::to_string(by_index.size()), tally));
    }
    const auto setup_start = steady_ns();
    co_await for_each_parallel(context.executor, size - first_new, pool.size(),
                               [&](std::size_t i, std::size_t worker) -> asio::awaitable<void> {
                                 co_await by_index[first_new + i]->join(
                                     connection_of(first_new + i, worker), "");
                               });
    std::cerr << "bench: fan-out: " << size << " sessions ready in "
              << seconds_between(setup_start, steady_ns()) << " s\n";

    std::vector<double> times;
    bool all = true;
    const CpuMeter cpu(context.server_pids);
    for (std::size_t round = 0; round < options.rounds; ++round) {
      tally.reset();
      json::object payload;
      const auto sent_at = steady_ns();
      payload["t"] = sent_at;
      json::object arguments;
      arguments["payload"] = std::move(payload);
      auto answer = co_await sender.call_tool("blender_send_message", std::move(arguments));
      if (answer.is_error) throw std::runtime_error("broadcast refused: " + answer.text);
      const bool complete =
          co_await wait_until([&] { return tally.received >= size; }, std::chrono::seconds(60),
                              std::chrono::microseconds(200));
      all = all && complete && tally.received == size;
      times.push_back(seconds_between(sent_at, tally.last_arrival_ns));
    }
    const auto cost = cpu.per(static_cast<double>(size * options.rounds));
    std::sort(times.begin(), times.end());
    const double median = times[times.size() / 2];
    json::object result{{"scenario", "fanout"},
                        {"sessions", size},
                        {"rounds", options.rounds},
                        {"all_delivered", all},
                        {"last_record_ms_median", median * 1e3},
                        {"last_record_ms_best", times.front() * 1e3},
                        {"last_record_ms_worst", times.back() * 1e3},
                        {"records_per_s", static_cast<double>(size) / median},
                        {"generator_cpu_us_per_record", cost.generator_us}};
    if (cost.server_us >= 0) result["server_cpu_us_per_record"] = cost.server_us;
    results.push_back(std::move(result));
    std::cerr << "bench: fan-out " << size << ": last record after " << median * 1e3
              << " ms (median of " << options.rounds << ")\n";
  }

  co_await sender.close();
  co_await for_each_parallel(context.executor, by_index.size(), pool.size(),
                             [&](std::size_t i, std::size_t worker) -> asio::awaitable<void> {
                               co_await by_index[i]->leave(connection_of(i, worker));
                             });
  co_return results;
}

}  // namespace blender_bus::bench
