// blender-bus-bench: the load generator behind BENCHMARKS.md (issue 7).
// Each subcommand runs one scenario against a running server and prints one
// JSON object per result on stdout (progress on stderr); bench/run drives it.
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/random_id.hpp"
#include "direct_scenario.hpp"
#include "fanout_floor.hpp"
#include "fanout_scenario.hpp"
#include "http_ceiling.hpp"
#include "idle_scenario.hpp"
#include "soak_scenario.hpp"

namespace asio = boost::asio;
namespace json = boost::json;
using namespace blender_bus;

namespace {

struct CommonOptions {
  std::string server = "http://127.0.0.1:8000";
  std::string token;
  std::vector<int> server_pids;
};

// Runs one scenario coroutine on a single-threaded loop: the server under
// test keeps the machine's other core.
int run(const CommonOptions& common,
        const std::function<asio::awaitable<void>(const bench::ScenarioContext&)>& body) {
  asio::io_context io(1);
  bench::ScenarioContext context{io.get_executor(), cli::ServerUrl::parse(common.server),
                                 std::make_shared<cli::BearerAuth>(common.token),
                                 "bench-" + cli::random_uuid().substr(0, 8), common.server_pids};
  int status = 0;
  asio::co_spawn(io, body(context), [&](std::exception_ptr error) {
    if (!error) return;
    status = 1;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      std::cerr << "blender-bus-bench: " << e.what() << "\n";
    }
  });
  io.run();
  return status;
}

void print(const json::value& value) {
  std::cout << json::serialize(value) << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"blender-bus-bench: MCP load generator for blender-bus (see bench/run)"};
  app.require_subcommand(1);
  CommonOptions common;
  app.add_option("--server", common.server, "base URL of the server under test");
  app.add_option("--token", common.token, "bearer token (none for a server run with --auth none)");
  app.add_option("--pid", common.server_pids,
                 "server process(es) whose memory and CPU are measured (repeatable)");
  int status = 0;

  std::vector<std::size_t> connections{1, 8, 32, 128};
  double duration_s = 5;
  double warmup_s = 1;
  bool persistent = false;
  std::string receiver_server;
  bool shared_bus = false;
  auto* direct = app.add_subcommand("direct", "scenario 1: direct sends, throughput and latency");
  direct->add_option("--connections", connections, "sender counts, one run each")->delimiter(',');
  direct->add_option("--duration", duration_s, "measured seconds per run");
  direct->add_option("--warmup", warmup_s, "unmeasured seconds before each run");
  direct->add_flag("--persistent", persistent,
                   "receivers register as persistent clients (records go through their inbox)");
  direct->add_option("--receiver-server", receiver_server,
                     "base URL the receivers connect to (another cluster node: cross-node sends)");
  direct->add_flag("--shared-bus", shared_bus,
                   "every client on one shared bus the run creates (blender_bus_create)");
  direct->callback([&] {
    status = run(common, [&](const bench::ScenarioContext& context) -> asio::awaitable<void> {
      for (auto n : connections) {
        bench::DirectOptions options{n,
                                     std::chrono::milliseconds(static_cast<int>(duration_s * 1000)),
                                     std::chrono::milliseconds(static_cast<int>(warmup_s * 1000)),
                                     persistent,
                                     receiver_server,
                                     shared_bus};
        print(co_await bench::run_direct(context, options));
      }
    });
  });

  bench::FanoutOptions fanout_options;
  auto* fanout = app.add_subcommand("fanout", "scenario 2: broadcast fan-out");
  fanout->add_option("--sizes", fanout_options.sizes, "session counts")->delimiter(',');
  fanout->add_option("--rounds", fanout_options.rounds, "broadcasts per size");
  fanout->add_option("--other-server", fanout_options.other_server,
                     "base URL every second receiver connects to (another cluster node)");
  fanout->callback([&] {
    status = run(common, [&](const bench::ScenarioContext& context) -> asio::awaitable<void> {
      for (const auto& result : co_await bench::run_fanout(context, fanout_options)) print(result);
    });
  });

  bench::FanoutFloorOptions floor_options;
  auto* floor = app.add_subcommand(
      "fanout-floor", "scenario 6: the same fan-out over bare loopback TCP (no server needed)");
  floor->add_option("--sizes", floor_options.sizes, "connection counts")->delimiter(',');
  floor->add_option("--rounds", floor_options.rounds, "rounds per size");
  floor->add_option("--bytes", floor_options.record_bytes, "bytes written to each connection");
  floor->callback([&] {
    try {
      for (const auto& result : bench::run_fanout_floor(floor_options)) print(result);
    } catch (const std::exception& e) {
      std::cerr << "blender-bus-bench: " << e.what() << "\n";
      status = 1;
    }
  });

  bench::IdleOptions idle_options;
  auto* idle = app.add_subcommand("idle", "scenario 3: idle sessions with open streams");
  idle->add_option("--sessions", idle_options.sessions, "session count");
  idle->callback([&] {
    status = run(common, [&](const bench::ScenarioContext& context) -> asio::awaitable<void> {
      print(co_await bench::run_idle(context, idle_options));
    });
  });

  auto* http = app.add_subcommand("http", "scenario 6: the same request shape, any HTTP server");
  http->add_option("--connections", connections, "connection counts, one run each")->delimiter(',');
  http->add_option("--duration", duration_s, "measured seconds per run");
  http->add_option("--warmup", warmup_s, "unmeasured seconds before each run");
  http->callback([&] {
    status = run(common, [&](const bench::ScenarioContext& context) -> asio::awaitable<void> {
      for (auto n : connections) {
        bench::HttpLoadOptions options{
            n, std::chrono::milliseconds(static_cast<int>(duration_s * 1000)),
            std::chrono::milliseconds(static_cast<int>(warmup_s * 1000))};
        print(co_await bench::run_http_load(context, options));
      }
    });
  });

  bench::HttpIdleOptions http_idle_options;
  auto* http_idle =
      app.add_subcommand("http-idle", "scenario 6: idle connections, any HTTP server");
  http_idle->add_option("--sessions", http_idle_options.sessions, "connection count");
  http_idle->callback([&] {
    status = run(common, [&](const bench::ScenarioContext& context) -> asio::awaitable<void> {
      print(co_await bench::run_http_idle(context, http_idle_options));
    });
  });

  bench::SoakOptions soak_options;
  std::string password_file;
  std::size_t send_interval_ms = 2000;
  auto* soak = app.add_subcommand(
      "soak", "issue 12: mixed load for --minutes, checking every delivery (see bench/soak)");
  soak->add_option("--minutes", soak_options.minutes, "length of the load phase (default 30)");
  soak->add_option("--users", soak_options.users, "traffic users (comma-separated)")
      ->delimiter(',')
      ->required();
  soak->add_option("--churn-user", soak_options.churn_user, "the user that logs in and out")
      ->required();
  soak->add_option("--password-file", password_file, "every soak user's password")->required();
  soak->add_option("--ephemeral", soak_options.ephemeral, "ephemeral session slots (160)");
  soak->add_option("--persistent", soak_options.persistent, "persistent workers (40)");
  soak->add_option("--send-interval-ms", send_interval_ms,
                   "mean time between sends of one ephemeral session (2000)");
  soak->add_option("--title", soak_options.title, "the report's heading");
  soak->callback([&] {
    std::ifstream file(password_file);
    std::getline(file, soak_options.password);
    if (!file && soak_options.password.empty()) {
      std::cerr << "blender-bus-bench: cannot read " << password_file << "\n";
      status = 2;
      return;
    }
    soak_options.send_interval = std::chrono::milliseconds(send_interval_ms);
    soak_options.server_pids = common.server_pids;
    if (soak_options.title.empty()) {
      std::ostringstream title;
      title << "Soak, " << soak_options.minutes << " min";
      soak_options.title = title.str();
    }
    asio::io_context io(1);
    bench::SoakOutcome outcome;
    asio::co_spawn(
        io, bench::run_soak(io.get_executor(), cli::ServerUrl::parse(common.server), soak_options),
        [&](std::exception_ptr error, bench::SoakOutcome result) {
          if (!error) {
            outcome = std::move(result);
            return;
          }
          try {
            std::rethrow_exception(error);
          } catch (const std::exception& e) {
            std::cerr << "blender-bus-bench soak: " << e.what() << "\n";
          }
          status = 1;
        });
    io.run();
    std::cout << outcome.report << std::flush;
    if (!outcome.clean && status == 0) status = 1;
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  return status;
}
