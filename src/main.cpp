// blender-bus: command-line entry. Parses the command line only; the server
// is composed in src/server/, the client commands live in src/cli/.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "build_info.hpp"
#include "cli/bus_command.hpp"
#include "cli/client_commands.hpp"
#include "cli/exit_status.hpp"
#include "cli/oauth_command.hpp"
#include "cli/token_command.hpp"
#include "cli/user_command.hpp"
#include "server/serve_command.hpp"

int main(int argc, char** argv) {
  // stdout carries protocol (stdio) and the ready line (serve): logs go to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("blender-bus"));

  CLI::App app{"blender-bus: a per-user MCP message bus between AI assistants and Blender"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("blender-bus ") + BLENDER_BUS_VERSION + " (git " +
                                        std::string(blender_bus::git_revision()) + ")");
  blender_bus::server::add_serve_command(app);
  blender_bus::server::add_stdio_command(app);
  blender_bus::cli::add_user_command(app);
  blender_bus::cli::add_token_command(app);
  blender_bus::cli::add_bus_command(app);
  blender_bus::cli::add_oauth_command(app);
  blender_bus::cli::add_client_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& error) {
    return error.get_exit_code();  // a command's own status, already reported
  } catch (const CLI::ParseError& error) {
    // --help and --version print and succeed; every other parse error is a
    // usage error with one documented status, whatever CLI11's own code.
    const int printed = app.exit(error);
    return printed == 0 ? 0 : blender_bus::cli::exit_status::usage;
  } catch (const std::exception& error) {
    spdlog::error("{}", error.what());
    return 1;
  }
  return 0;
}
