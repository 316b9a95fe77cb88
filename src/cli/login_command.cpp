#include "cli/login_command.hpp"

#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>

#include "cli/auth_client.hpp"
#include "cli/client_profile.hpp"
#include "cli/command_runner.hpp"
#include "cli/credentials.hpp"
#include "cli/http_connection.hpp"

namespace blender_bus::cli {

namespace asio = boost::asio;

namespace {

struct LoginOptions {
  ConnectionOptions connection;
  std::string username;
  bool password_stdin = false;
};

std::string read_line(const char* prompt) {
  if (::isatty(STDIN_FILENO)) std::cerr << prompt << std::flush;
  std::string line;
  if (!std::getline(std::cin, line))
    throw std::runtime_error("no input for " + std::string(prompt));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Reads a password from the terminal without echoing it; from a pipe, the
// next line.
std::string read_password() {
  if (!::isatty(STDIN_FILENO)) return read_line("Password: ");
  termios saved{};
  ::tcgetattr(STDIN_FILENO, &saved);
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string line;
  std::cerr << "Password: " << std::flush;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  std::cerr << "\n";
  if (!got) throw std::runtime_error("no password given");
  return line;
}

asio::awaitable<int> run_login(const LoginOptions& options, CommandContext& context) {
  const std::filesystem::path path = options.connection.token_file.empty()
                                         ? default_credentials_path()
                                         : std::filesystem::path(options.connection.token_file);
  std::string server_text = options.connection.server;
  if (server_text.empty()) {
    // Logging in again to the server already stored needs no --server.
    if (auto stored = load_credentials(path); stored && !stored->server.empty()) {
      server_text = stored->server;
    }
  }
  if (server_text.empty()) {
    std::cerr << "blender-bus login: --server URL is required (e.g. " << kDefaultServer << ")\n";
    co_return 1;
  }
  auto server = ServerUrl::parse(server_text);
  server.set_ca_file(options.connection.ca_file);
  std::string username = options.username;
  if (username.empty()) username = read_line("Username: ");
  std::string password = options.password_stdin ? read_line("Password: ") : read_password();

  HttpConnection connection(context.executor(), server);
  std::optional<TokenGrant> grant;
  std::string refusal;
  try {
    grant = co_await login(connection, username, password);
  } catch (const AuthRefused& e) {
    refusal = e.detail();
  }
  if (!grant) {
    std::cerr << "blender-bus login: refused: " << refusal << "\n";
    co_return 1;
  }
  Credentials credentials;
  credentials.server = server.base();
  credentials.username = grant->username.empty() ? username : grant->username;
  credentials.access_token = grant->access_token;
  credentials.refresh_token = grant->refresh_token;
  credentials.token_type = grant->token_type;
  save_credentials(path, credentials);
  std::cerr << "logged in to " << server.base() << " as " << credentials.username
            << "; credentials in " << path.string() << "\n";
  co_return 0;
}

}  // namespace

void add_login_command(CLI::App& app) {
  auto options = std::make_shared<LoginOptions>();
  auto* command = app.add_subcommand(
      "login", "Log in to a server and keep the tokens for the other commands (mode 0600).");
  command->add_option("--username", options->username, "user name (prompted for if missing)");
  command->add_flag("--password-stdin", options->password_stdin,
                    "read the password from the first line of stdin");
  command->add_option("--server", options->connection.server, "server base URL");
  command->add_option("--token-file", options->connection.token_file,
                      "where to keep the tokens (default: "
                      "$XDG_CONFIG_HOME/blender-bus/credentials.json or "
                      "~/.config/blender-bus/credentials.json)");
  command->add_option("--ca-file", options->connection.ca_file, kCaFileHelp)
      ->envname("BLENDER_BUS_CA_FILE");
  command->callback([options] {
    const int status = run_command(
        "login", [options](CommandContext& context) { return run_login(*options, context); });
    if (status != 0) throw CLI::RuntimeError(status);
  });
}

}  // namespace blender_bus::cli
