#include "cli/call_command.hpp"

#include <iostream>
#include <memory>

#include "cli/client_profile.hpp"
#include "cli/command_runner.hpp"
#include "cli/mcp_client.hpp"
#include "json/serializer.hpp"

namespace blender_bus::cli {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

struct CallOptions {
  ConnectionOptions connection;
  std::string tool;
  std::string arguments = "{}";
};

json::object parse_arguments(const std::string& text) {
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  if (ec) throw std::invalid_argument("the arguments are not JSON: " + ec.message());
  if (!value.is_object()) throw std::invalid_argument("the arguments must be a JSON object");
  return std::move(value.as_object());
}

asio::awaitable<int> run_call(const CallOptions& options, CommandContext& context) {
  auto arguments = parse_arguments(options.arguments);
  auto profile = co_await open_profile(context.executor(), options.connection);
  McpClientOptions client_options;
  client_options.client_name = "blender-bus call";
  McpClient client(context.executor(), profile.server, profile.auth, client_options);
  co_await client.connect();
  auto result = co_await client.call_tool(options.tool, std::move(arguments));
  co_await client.close();
  if (result.is_error) {
    std::cerr << "blender-bus call: " << options.tool << " reported an error: " << result.text
              << "\n";
    co_return 1;
  }
  std::cout << blender_bus::json::to_text(result.value) << std::endl;
  co_return 0;
}

}  // namespace

void add_call_command(CLI::App& app) {
  auto options = std::make_shared<CallOptions>();
  auto* command = app.add_subcommand("call", "Call any tool and print its result as JSON.");
  command->add_option("tool", options->tool, "tool name, e.g. blender_list_available_clients")
      ->required();
  command->add_option("arguments", options->arguments,
                      "the arguments as a JSON object (default {})");
  add_connection_options(*command, options->connection);
  command->callback([options] {
    const int status = run_command(
        "call", [options](CommandContext& context) { return run_call(*options, context); });
    if (status != 0) throw CLI::RuntimeError(status);
  });
}

}  // namespace blender_bus::cli
