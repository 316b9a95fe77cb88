#include "cli/clients_command.hpp"

#include <chrono>
#include <iostream>
#include <memory>

#include "cli/client_profile.hpp"
#include "cli/clients_table.hpp"
#include "cli/command_runner.hpp"
#include "cli/mcp_client.hpp"
#include "json/serializer.hpp"

namespace blender_bus::cli {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

struct ClientsOptions {
  ConnectionOptions connection;
  bool json = false;
};

asio::awaitable<int> run_clients(const ClientsOptions& options, CommandContext& context) {
  auto profile = co_await open_profile(context.executor(), options.connection);
  McpClientOptions client_options;
  client_options.client_name = "blender-bus clients";
  McpClient client(context.executor(), profile.server, profile.auth, client_options);
  co_await client.connect();
  auto result = co_await client.call_tool("blender_list_available_clients", json::object{});
  co_await client.close();
  if (result.is_error || !result.value.is_object()) {
    std::cerr << "blender-bus clients: " << result.text << "\n";
    co_return 1;
  }
  if (options.json) {
    std::cout << blender_bus::json::to_text(result.value) << std::endl;
    co_return 0;
  }
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::cout << format_clients_table(result.value.as_object(), now);
  co_return 0;
}

}  // namespace

void add_clients_command(CLI::App& app) {
  auto options = std::make_shared<ClientsOptions>();
  auto* command = app.add_subcommand("clients", "List the clients on your bus.");
  command->add_flag("--json", options->json, "print the JSON the server returned");
  add_connection_options(*command, options->connection);
  command->callback([options] {
    const int status = run_command(
        "clients", [options](CommandContext& context) { return run_clients(*options, context); });
    if (status != 0) throw CLI::RuntimeError(status);
  });
}

}  // namespace blender_bus::cli
