#include "direct_scenario.hpp"

#include <iostream>
#include <list>

#include "clock.hpp"
#include "latency_summary.hpp"
#include "parallel.hpp"
#include "process_cpu.hpp"
#include "receiver.hpp"

namespace blender_bus::bench {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr std::size_t kSetupWorkers = 32;

struct SendCounts {
  std::uint64_t sent = 0;
  std::uint64_t refused = 0;
};

// Sends until `until_ns`; each payload carries its send time.
asio::awaitable<void> send_loop(cli::McpClient& sender, const std::string& target,
                                const std::string& bus_id, std::int64_t until_ns,
                                SendCounts& counts) {
  while (steady_ns() < until_ns) {
    json::object arguments;
    arguments["target_uuid"] = target;
    if (!bus_id.empty()) arguments["bus_id"] = bus_id;
    json::object payload;
    payload["t"] = steady_ns();
    arguments["payload"] = std::move(payload);
    auto result = co_await sender.call_tool("blender_send_message", std::move(arguments));
    if (result.is_error) {
      ++counts.refused;
    } else {
      ++counts.sent;
    }
  }
}

}  // namespace

asio::awaitable<json::object> run_direct(const ScenarioContext& context,
                                         const DirectOptions& options) {
  const auto n = options.connections;
  Tally tally;
  std::list<Receiver> receivers;  // stable addresses: stream readers refer to them
  std::vector<Receiver*> by_index;
  for (std::size_t i = 0; i < n; ++i) {
    by_index.push_back(&receivers.emplace_back(
        context.auth, context.run_id + "-direct" + std::to_string(n) + "-r" + std::to_string(i),
        tally));
  }
  auto pool = context.connection_pool(std::min(n, kSetupWorkers));
  if (!options.receiver_server.empty()) {
    const auto elsewhere = cli::ServerUrl::parse(options.receiver_server);
    for (auto& connection : pool) {
      connection = std::make_shared<cli::HttpConnection>(context.executor, elsewhere);
    }
  }
  std::string bus_id;  // empty: the user's personal bus
  if (options.shared_bus) {
    cli::McpClientOptions client_options;
    client_options.client_name = "blender-bus-bench";
    cli::McpClient owner(pool.front(), context.auth, client_options);
    co_await owner.connect();
    json::object arguments{{"name", context.run_id + "-direct" + std::to_string(n)}};
    auto created = co_await owner.call_tool("blender_bus_create", std::move(arguments));
    if (created.is_error) throw std::runtime_error("blender_bus_create: " + created.text);
    bus_id = std::string(created.value.at("bus").at("bus_id").as_string());
    co_await owner.close();
  }
  co_await for_each_parallel(context.executor, n, pool.size(),
                             [&](std::size_t i, std::size_t worker) -> asio::awaitable<void> {
                               co_await by_index[i]->join(pool[worker], "",
                                                          options.persistent_receivers, bus_id);
                             });

  std::vector<std::unique_ptr<cli::McpClient>> senders;
  for (std::size_t i = 0; i < n; ++i) {
    cli::McpClientOptions client_options;
    client_options.client_name = "blender-bus-bench";
    senders.push_back(std::make_unique<cli::McpClient>(context.executor, context.server,
                                                       context.auth, client_options));
  }
  co_await for_each_parallel(
      context.executor, n, n,
      [&](std::size_t i, std::size_t) -> asio::awaitable<void> { co_await senders[i]->connect(); });

  SendCounts counts;
  auto phase = [&](std::chrono::milliseconds length) -> asio::awaitable<void> {
    const auto until = steady_ns() + std::chrono::nanoseconds(length).count();
    co_await for_each_parallel(
        context.executor, n, n, [&](std::size_t i, std::size_t) -> asio::awaitable<void> {
          co_await send_loop(*senders[i], by_index[i]->uuid(), bus_id, until, counts);
        });
  };

  // Warm-up: connections, allocator and caches settle; not measured.
  co_await phase(options.warmup);
  co_await wait_until([&] { return tally.received >= counts.sent; }, std::chrono::seconds(30));

  tally.reset();
  tally.recording = true;
  counts = {};
  const CpuMeter cpu(context.server_pids);
  const auto start = steady_ns();
  co_await phase(options.duration);
  const auto sends_done = steady_ns();
  const bool all =
      co_await wait_until([&] { return tally.received >= counts.sent; }, std::chrono::seconds(30));
  tally.recording = false;
  const auto cost = cpu.per(static_cast<double>(counts.sent));
  const double window = seconds_between(start, std::max(tally.last_arrival_ns, sends_done));

  json::object result{{"scenario", "direct"},
                      {"connections", n},
                      {"receivers", options.persistent_receivers ? "persistent" : "ephemeral"},
                      {"bus", options.shared_bus ? "shared" : "personal"},
                      {"duration_s", seconds_between(start, sends_done)},
                      {"sent", counts.sent},
                      {"refused", counts.refused},
                      {"delivered", tally.received},
                      {"all_delivered", all && tally.received == counts.sent},
                      {"sends_per_s", counts.sent / seconds_between(start, sends_done)},
                      {"records_per_s", tally.received / window},
                      {"latency", summarize(tally.latencies_ns).to_json()},
                      {"generator_cpu_us_per_send", cost.generator_us}};
  if (cost.server_us >= 0) result["server_cpu_us_per_send"] = cost.server_us;

  for (auto& sender : senders) co_await sender->close();
  co_await for_each_parallel(context.executor, n, pool.size(),
                             [&](std::size_t i, std::size_t worker) -> asio::awaitable<void> {
                               co_await by_index[i]->leave(pool[worker]);
                             });
  co_return result;
}

}  // namespace blender_bus::bench
