#include "cli/client_profile.hpp"

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "cli/auth_client.hpp"
#include "cli/credentials.hpp"
#include "cli/http_connection.hpp"
#include "cli/token_expiry.hpp"

namespace blender_bus::cli {

namespace asio = boost::asio;

namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Mints a fresh access token from the refresh token and writes both back.
// Another process using the same file may have refreshed first (refresh
// tokens rotate, so ours would then be revoked): the file is read again and
// a newer token found there is taken instead.
BearerAuth::Refresher make_refresher(asio::any_io_executor executor, ServerUrl server,
                                     std::filesystem::path path,
                                     std::shared_ptr<Credentials> credentials) {
  return [executor, server, path, credentials]() -> asio::awaitable<std::optional<std::string>> {
    if (auto on_disk = load_credentials(path); on_disk &&
                                               on_disk->access_token != credentials->access_token &&
                                               !token_expired(on_disk->access_token, unix_now())) {
      *credentials = *on_disk;
      co_return credentials->access_token;
    }
    if (credentials->refresh_token.empty()) co_return std::nullopt;
    HttpConnection connection(executor, server);
    std::optional<TokenGrant> grant;
    std::string refusal;
    try {
      grant = co_await refresh_tokens(connection, credentials->refresh_token);
    } catch (const AuthRefused& e) {
      refusal = e.detail();
    }
    if (!grant) {
      std::cerr << "blender-bus: the stored login could not be refreshed (" << refusal
                << "); log in again with `blender-bus login`\n";
      co_return std::nullopt;
    }
    credentials->access_token = grant->access_token;
    if (!grant->refresh_token.empty()) credentials->refresh_token = grant->refresh_token;
    credentials->token_type = grant->token_type;
    save_credentials(path, *credentials);
    co_return credentials->access_token;
  };
}

}  // namespace

void add_connection_options(CLI::App& command, ConnectionOptions& options) {
  command.add_option("--server", options.server,
                     "server base URL (default: the stored login's, $BLENDER_BUS_SERVER, or " +
                         std::string(kDefaultServer) + ")");
  command.add_option("--token-file", options.token_file,
                     "file with the bearer token: bare, or JSON with access_token and "
                     "refresh_token (default: the login's credentials.json)");
  command.add_option("--ca-file", options.ca_file, kCaFileHelp)->envname("BLENDER_BUS_CA_FILE");
}

asio::awaitable<ClientProfile> open_profile(asio::any_io_executor executor,
                                            const ConnectionOptions& options) {
  std::filesystem::path path;
  std::optional<Credentials> stored;
  if (!options.token_file.empty()) {
    path = options.token_file;
    stored = load_credentials(path);
    if (!stored) throw std::runtime_error("token file " + path.string() + " does not exist");
  } else {
    // No HOME at all is fine here: the command then runs without a login.
    if (std::getenv("XDG_CONFIG_HOME") || std::getenv("HOME")) {
      path = default_credentials_path();
      stored = load_credentials(path);
    }
  }

  std::string server_text = options.server;
  if (server_text.empty() && stored) server_text = stored->server;
  if (server_text.empty()) {
    const char* env = std::getenv("BLENDER_BUS_SERVER");
    server_text = env && *env ? env : kDefaultServer;
  }
  ClientProfile profile{ServerUrl::parse(server_text), std::make_shared<BearerAuth>(), {}};
  profile.server.set_ca_file(options.ca_file);

  // A login is only presented to the server it was made for, so that a
  // --server pointing elsewhere never receives it.
  if (stored && options.token_file.empty() && !stored->server.empty() &&
      ServerUrl::parse(stored->server).base() != profile.server.base()) {
    std::cerr << "blender-bus: the stored login is for " << stored->server << ", not "
              << profile.server.base() << "; connecting without it (use --token-file to force)\n";
    stored.reset();
  }
  if (!stored) co_return profile;

  auto credentials = std::make_shared<Credentials>(*stored);
  profile.credentials_path = path.string();
  BearerAuth::Refresher refresher;
  if (!credentials->bare) refresher = make_refresher(executor, profile.server, path, credentials);
  profile.auth = std::make_shared<BearerAuth>(credentials->access_token, std::move(refresher));
  if (token_expired(credentials->access_token, unix_now())) {
    co_await profile.auth->refresh(credentials->access_token);
  }
  co_return profile;
}

}  // namespace blender_bus::cli
