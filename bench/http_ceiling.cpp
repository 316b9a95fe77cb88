#include "http_ceiling.hpp"

#include <iostream>

#include "clock.hpp"
#include "latency_summary.hpp"
#include "parallel.hpp"
#include "process_cpu.hpp"
#include "process_memory.hpp"

namespace blender_bus::bench {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr auto kTimeout = std::chrono::seconds(30);

// The headers and body McpClient sends for blender_send_message.
cli::HttpRequest send_shaped_request(const ScenarioContext& context) {
  cli::HttpRequest request;
  request.method = "POST";
  request.target = context.server.target("/mcp");
  request.headers.set("Mcp-Session-Id", "b3d1f0a4c2e94f6b8a7d5c3e1f0a9b8c7d6e5f4a3b2c1d0e");
  request.headers.set("MCP-Protocol-Version", "2025-06-18");
  request.headers.set("Content-Type", "application/json");
  request.headers.set("Accept", "application/json, text/event-stream");
  json::object payload{{"t", steady_ns()}};
  json::object arguments{{"target_uuid", context.run_id + "-direct32-r17"}, {"payload", payload}};
  request.body = json::serialize(
      json::object{{"jsonrpc", "2.0"},
                   {"id", 1234},
                   {"method", "tools/call"},
                   {"params", {{"name", "blender_send_message"}, {"arguments", arguments}}}});
  return request;
}

void require_ok(const cli::HttpResponseHead& head) {
  if (head.status >= 400) throw cli::HttpError(head.status, "", "ceiling request");
}

}  // namespace

asio::awaitable<json::object> run_http_load(const ScenarioContext& context,
                                            const HttpLoadOptions& options) {
  const auto n = options.connections;
  const auto request = send_shaped_request(context);
  std::vector<std::shared_ptr<cli::HttpConnection>> connections = context.connection_pool(n);
  std::vector<std::int64_t> latencies;
  std::uint64_t done = 0;
  bool recording = false;

  auto phase = [&](std::chrono::milliseconds length) -> asio::awaitable<void> {
    const auto until = steady_ns() + std::chrono::nanoseconds(length).count();
    co_await for_each_parallel(
        context.executor, n, n, [&](std::size_t i, std::size_t) -> asio::awaitable<void> {
          while (steady_ns() < until) {
            const auto sent = steady_ns();
            auto response = co_await connections[i]->exchange(request, kTimeout);
            require_ok(response.head);
            if (recording) latencies.push_back(steady_ns() - sent);
            ++done;
          }
        });
  };
  co_await phase(options.warmup);
  done = 0;
  recording = true;
  const CpuMeter cpu(context.server_pids);
  const auto start = steady_ns();
  co_await phase(options.duration);
  const double elapsed = seconds_between(start, steady_ns());
  const auto cost = cpu.per(static_cast<double>(done));
  for (auto& connection : connections) connection->close();
  json::object result{{"scenario", "http"},
                      {"connections", n},
                      {"duration_s", elapsed},
                      {"requests", done},
                      {"requests_per_s", static_cast<double>(done) / elapsed},
                      {"latency", summarize(latencies).to_json()},
                      {"generator_cpu_us_per_request", cost.generator_us}};
  if (cost.server_us >= 0) result["server_cpu_us_per_request"] = cost.server_us;
  co_return result;
}

asio::awaitable<json::object> run_http_idle(const ScenarioContext& context,
                                            const HttpIdleOptions& options) {
  const auto request = send_shaped_request(context);
  cli::HttpRequest get = request;
  get.method = "GET";
  get.body.clear();
  get.headers.set("Accept", "text/event-stream");
  auto pool = context.connection_pool(options.setup_workers);
  std::vector<std::shared_ptr<cli::HttpConnection>> idle;
  for (std::size_t i = 0; i < options.sessions; ++i) idle.push_back(context.new_connection());

  const bool measure = !context.server_pids.empty();
  const auto rss_before = measure ? resident_bytes(context.server_pids) : 0;
  const auto start = steady_ns();
  co_await for_each_parallel(context.executor, options.sessions, pool.size(),
                             [&](std::size_t i, std::size_t worker) -> asio::awaitable<void> {
                               for (int post = 0; post < 3; ++post) {
                                 auto response = co_await pool[worker]->exchange(request, kTimeout);
                                 require_ok(response.head);
                               }
                               auto response = co_await idle[i]->exchange(get, kTimeout);
                               require_ok(response.head);
                             });
  const double register_s = seconds_between(start, steady_ns());
  for (auto& connection : pool) connection->close();
  co_await sleep_for(options.settle);
  const auto rss_after = measure ? resident_bytes(context.server_pids) : 0;
  const auto open =
      std::count_if(idle.begin(), idle.end(), [](const auto& c) { return c->is_open(); });
  json::object result{{"scenario", "http-idle"},
                      {"sessions", options.sessions},
                      {"connections_open", open},
                      {"register_s", register_s},
                      {"sessions_per_s", static_cast<double>(options.sessions) / register_s}};
  if (measure) {
    result["rss_before_bytes"] = rss_before;
    result["rss_after_bytes"] = rss_after;
    result["rss_per_session_bytes"] =
        (static_cast<double>(rss_after) - static_cast<double>(rss_before)) /
        static_cast<double>(options.sessions);
  }
  for (auto& connection : idle) connection->close();
  co_return result;
}

}  // namespace blender_bus::bench
