#include "cli/listen_command.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <iostream>
#include <memory>

#include "cli/bus_record.hpp"
#include "cli/client_profile.hpp"
#include "cli/command_runner.hpp"
#include "cli/event_stream.hpp"
#include "cli/mcp_client.hpp"
#include "json/serializer.hpp"

namespace blender_bus::cli {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

struct ListenOptions {
  ConnectionOptions connection;
  std::string uuid;
  std::string group;
  std::string client_type = "llm";
  std::vector<std::string> capabilities;
  bool persistent = false;
};

json::object registration(const ListenOptions& options) {
  json::array capabilities;
  for (const auto& capability : options.capabilities) capabilities.emplace_back(capability);
  json::object arguments{{"client_uuid", options.uuid},
                         {"client_type", options.client_type},
                         {"is_persistent", options.persistent},
                         {"capabilities", std::move(capabilities)}};
  if (!options.group.empty()) arguments["group_id"] = options.group;
  return arguments;
}

std::string status_of(const ToolCallResult& result) {
  if (const auto* object = result.value.if_object()) {
    if (const auto* status = object->if_contains("status"); status && status->is_string()) {
      return std::string(status->as_string());
    }
  }
  return {};
}

asio::awaitable<int> run_listen(const ListenOptions& options, CommandContext& context) {
  auto executor = context.executor();
  auto profile = co_await open_profile(executor, options.connection);
  std::unique_ptr<EventStream> stream;
  context.on_interrupt([&] {
    if (stream) stream->stop();
  });
  asio::steady_timer pause(executor);
  auto delay = std::chrono::milliseconds(250);
  bool announced = false;
  bool stdout_closed = false;
  while (!context.interrupted() && !stdout_closed) {
    McpClientOptions client_options;
    client_options.client_name = "blender-bus listen";
    McpClient client(executor, profile.server, profile.auth, client_options);
    // A server restart ends our session: start a new one and register again.
    bool session_gone = false;
    try {
      co_await client.connect();
      stream = std::make_unique<EventStream>(client);
      co_await stream->open();
      auto registered = co_await client.call_tool("blender_register_client", registration(options));
      if (registered.is_error || status_of(registered) != "ok") {
        std::cerr << "blender-bus listen: registration refused: " << registered.text << "\n";
        co_return 1;
      }
      if (!announced) {
        std::cerr << "listening as " << options.uuid
                  << (options.group.empty() ? std::string() : " in group " + options.group)
                  << " on " << profile.server.base() << " (Ctrl-C to stop)\n";
        announced = true;
      }
      delay = std::chrono::milliseconds(250);
      if (context.interrupted()) stream->stop();  // Ctrl-C came while connecting
      co_await stream->run([&stream, &stdout_closed](json::object& params, const SseEvent&) {
        auto record = BusRecord::from_params(params);
        if (!record) return;
        std::cout << blender_bus::json::to_text(record->data) << '\n';
        std::cout.flush();  // a pipe reader sees each record as it comes
        if (!std::cout) {
          // The reader went away (EPIPE): nobody will see more; stop as on Ctrl-C.
          stdout_closed = true;
          stream->stop();
        }
      });
    } catch (const SessionGone&) {
      session_gone = true;
    }
    if (context.interrupted() || stdout_closed) {
      // Persistent clients stay registered (their inbox keeps their records).
      bool tidy = true;
      try {
        if (!options.persistent) {
          json::object leaving;
          leaving["client_uuid"] = options.uuid;
          co_await client.call_tool("blender_unregister_client", std::move(leaving));
        }
        co_await client.close();
      } catch (const std::exception&) {
        tidy = false;
      }
      if (!tidy) std::cerr << "blender-bus listen: could not close the session (it will expire)\n";
      break;
    }
    if (session_gone) {
      std::cerr << "blender-bus listen: session ended by the server; registering again\n";
      pause.expires_after(delay);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      delay = std::min(delay * 2, std::chrono::milliseconds(5000));
    }
  }
  co_return 0;
}

}  // namespace

void add_listen_command(CLI::App& app) {
  auto options = std::make_shared<ListenOptions>();
  auto* command = app.add_subcommand(
      "listen", "Register as a client and print every bus record it receives as a JSON line.");
  command->add_option("--uuid", options->uuid, "the client uuid to register")->required();
  command->add_option("--group", options->group, "group to join");
  command->add_option("--type", options->client_type, "client_type (default llm)");
  command->add_option("--capability", options->capabilities, "a capability (repeatable)");
  command->add_flag("--persistent", options->persistent,
                    "register as a persistent client (kept, with its inbox, when it disconnects)");
  add_connection_options(*command, options->connection);
  command->callback([options] {
    const int status = run_command(
        "listen", [options](CommandContext& context) { return run_listen(*options, context); });
    if (status != 0) throw CLI::RuntimeError(status);
  });
}

}  // namespace blender_bus::cli
