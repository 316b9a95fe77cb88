// blender-bus-nats-bench: the cost of the nats/ layer's JetStream publishes
// (bench/nats-run starts the servers and runs the matrix).
//
//   blender-bus-nats-bench --servers nats://H:P[,...] [--server-pids P,...]
//       [--replicas 1] [--windows 1,8,32,256] [--seconds 3] [--warmup 0.5]
//       [--payload 400] [--republish]
//
// For each window W: a fresh stream BENCH (subjects bench.rec.c0..c99), W
// coroutines on one io_context thread, each publishing one record through
// nats::Publisher and awaiting its ack before the next (a closed loop, as W
// concurrent sends each answered on its ack). With --republish the stream
// republishes to bench.live.>, and a LiveSubscription measures the time
// from publish to the republished copy's arrival. One JSON object a line on
// stdout; a table on stderr.
#include <nats/nats.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../clock.hpp"
#include "../latency_summary.hpp"
#include "../process_cpu.hpp"
#include "nats/connection.hpp"
#include "nats/library.hpp"
#include "nats/live_subscription.hpp"
#include "nats/nats_error.hpp"
#include "nats/provisioner.hpp"
#include "nats/publisher.hpp"

namespace asio = boost::asio;
namespace json = boost::json;
namespace nats = blender_bus::nats;
using blender_bus::bench::CpuMeter;
using blender_bus::bench::steady_ns;
using blender_bus::bench::summarize;

namespace {

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

struct Settings {
  std::vector<std::string> servers;
  std::vector<int> server_pids;
  int replicas = 1;
  std::vector<int> windows{1, 8, 32, 256};
  double seconds = 3;
  double warmup = 0.5;
  std::size_t payload = 400;
  bool republish = false;
};

void fresh_stream(nats::Connection& connection, const Settings& settings) {
  if (js_DeleteStream(connection.jetstream(), "BENCH", nullptr, nullptr) != NATS_OK) {
    nats::clear_last_error();  // none yet
  }
  nats::StreamSpec spec;
  spec.name = "BENCH";
  spec.subjects = {"bench.rec.>"};
  spec.replicas = settings.replicas;
  spec.allow_direct = true;
  if (settings.republish)
    spec.republish = nats::StreamSpec::RePublish{"bench.rec.>", "bench.live.>"};
  nats::Provisioner(connection).ensure_stream(spec);
}

// Receive latencies of republished copies: each payload starts with its
// send time (decimal ns on the steady clock).
class LiveLatency {
 public:
  void record(std::string_view payload) {
    std::int64_t sent = 0;
    auto end = payload.find(' ');
    std::from_chars(payload.data(), payload.data() + std::min(end, payload.size()), sent);
    const std::int64_t now = steady_ns();
    std::lock_guard lock(mutex_);
    if (measuring_) samples_.push_back(now - sent);
    ++received_;
  }
  void start() {
    std::lock_guard lock(mutex_);
    measuring_ = true;
  }
  std::vector<std::int64_t> take() {
    std::lock_guard lock(mutex_);
    measuring_ = false;
    return std::move(samples_);
  }
  std::uint64_t received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::int64_t> samples_;
  std::uint64_t received_ = 0;
  bool measuring_ = false;
};

json::object run_window(nats::Connection& connection, const Settings& settings, int window) {
  fresh_stream(connection, settings);
  LiveLatency live;
  std::unique_ptr<nats::LiveSubscription> subscription;
  if (settings.republish) {
    subscription = std::make_unique<nats::LiveSubscription>(
        connection, "bench.live.>",
        [&live](nats::LiveMessage message) { live.record(message.message.data()); });
    connection.flush(std::chrono::seconds(2));
  }
  nats::Publisher publisher(connection);
  asio::io_context io;
  const std::int64_t begin = steady_ns();
  const std::int64_t measure_from = begin + static_cast<std::int64_t>(settings.warmup * 1e9);
  const std::int64_t end = measure_from + static_cast<std::int64_t>(settings.seconds * 1e9);
  std::vector<std::int64_t> latencies;
  std::uint64_t sends = 0, errors = 0, published = 0;
  std::unique_ptr<CpuMeter> meter;
  bool measuring = false;
  std::string padding(settings.payload, 'x');

  for (int sender = 0; sender < window; ++sender) {
    asio::co_spawn(
        io,
        [&, sender]() -> asio::awaitable<void> {
          std::string subject = "bench.rec.c";
          subject += std::to_string(sender % 100);
          for (;;) {
            std::int64_t start = steady_ns();
            if (start >= end) co_return;
            if (!measuring && start >= measure_from) {
              measuring = true;  // one thread: no race
              meter = std::make_unique<CpuMeter>(settings.server_pids);
              live.start();
            }
            std::string payload = std::to_string(start);
            payload += ' ';
            payload.append(
                padding, 0,
                settings.payload > payload.size() ? settings.payload - payload.size() : 0);
            nats::PublishRequest request{subject, payload, {}, {}, {}};
            nats::PublishResult result = co_await publisher.publish(request);
            ++published;
            if (!measuring) continue;
            ++sends;
            if (!result.ok()) {
              ++errors;
              continue;
            }
            latencies.push_back(steady_ns() - start);
          }
        },
        asio::detached);
  }
  io.run();
  const double elapsed = static_cast<double>(steady_ns() - measure_from) / 1e9;
  auto cost = meter ? meter->per(static_cast<double>(sends)) : CpuMeter::Cost{};
  auto ack = summarize(latencies);
  json::object row{{"replicas", settings.replicas},
                   {"window", window},
                   {"payload", settings.payload},
                   {"republish", settings.republish},
                   {"sends", sends},
                   {"errors", errors},
                   {"rate", std::round(static_cast<double>(sends) / elapsed)},
                   {"ack", ack.to_json()},
                   {"server_cpu_us", cost.server_us},
                   {"client_cpu_us", cost.generator_us}};
  if (settings.republish) {
    // Wait a moment for the last copies.
    for (int i = 0; i < 200 && live.received() < published; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    auto samples = live.take();
    row["live"] = summarize(samples).to_json();
    row["live_received"] = live.received();
    row["published"] = published;
  }
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Measures nats::Publisher against real nats-server processes"};
  Settings settings;
  std::string servers, pids, windows = "1,8,32,256";
  app.add_option("--servers", servers, "NATS URLs, comma separated")->required();
  app.add_option("--server-pids", pids, "nats-server pids (for server CPU), comma separated");
  app.add_option("--replicas", settings.replicas, "stream replicas");
  app.add_option("--windows", windows, "concurrent publishes, comma separated");
  app.add_option("--seconds", settings.seconds, "measured seconds per window");
  app.add_option("--warmup", settings.warmup, "seconds before measuring");
  app.add_option("--payload", settings.payload, "record size in bytes");
  app.add_flag("--republish", settings.republish, "republish to bench.live.> and time the copies");
  CLI11_PARSE(app, argc, argv);
  settings.servers = split(servers);
  for (const auto& pid : split(pids)) settings.server_pids.push_back(std::stoi(pid));
  settings.windows.clear();
  for (const auto& w : split(windows)) settings.windows.push_back(std::stoi(w));

  try {
    nats::Library library;
    std::vector<json::object> rows;
    {
      nats::ConnectionOptions options;
      options.servers = settings.servers;
      options.name = "nats-bench";
      nats::Connection connection(options);
      if (!connection.wait_connected(std::chrono::seconds(10))) {
        std::cerr << "blender-bus-nats-bench: no NATS server answered\n";
        return 1;
      }
      for (int window : settings.windows) {
        rows.push_back(run_window(connection, settings, window));
        std::cout << json::serialize(rows.back()) << std::endl;
      }
      js_DeleteStream(connection.jetstream(), "BENCH", nullptr, nullptr);
    }
    std::fprintf(stderr, "%-3s %-6s %9s %10s %10s %12s %12s%s\n", "R", "window", "sends/s",
                 "ack p50", "ack p99", "server/send", "client/send",
                 settings.republish ? "   live p50   live p99" : "");
    for (const auto& row : rows) {
      const auto& ack = row.at("ack").as_object();
      std::fprintf(
          stderr, "%-3lld %-6lld %9.0f %8.0fus %8.0fus %10.1fus %10.1fus",
          static_cast<long long>(row.at("replicas").as_int64()),
          static_cast<long long>(row.at("window").as_int64()), row.at("rate").to_number<double>(),
          ack.at("p50_us").to_number<double>(), ack.at("p99_us").to_number<double>(),
          row.at("server_cpu_us").to_number<double>(), row.at("client_cpu_us").to_number<double>());
      if (settings.republish) {
        const auto& live = row.at("live").as_object();
        std::fprintf(stderr, " %8.0fus %8.0fus", live.at("p50_us").to_number<double>(),
                     live.at("p99_us").to_number<double>());
      }
      std::fprintf(stderr, "\n");
    }
  } catch (const std::exception& error) {
    std::cerr << "blender-bus-nats-bench: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
