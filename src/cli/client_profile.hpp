#pragma once

#include <CLI/CLI.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>

#include "cli/bearer_auth.hpp"
#include "cli/server_url.hpp"

namespace blender_bus::cli {

inline constexpr const char* kDefaultServer = "http://127.0.0.1:8000";
// --ca-file's help, for every command that connects (also `stdio --connect`).
inline constexpr const char* kCaFileHelp =
    "for an https:// server: PEM file of the CA that signed its certificate, trusted instead of "
    "the system's CAs (environment: BLENDER_BUS_CA_FILE)";

// --server / --token-file / --ca-file, which every client command takes.
struct ConnectionOptions {
  std::string server;
  std::string token_file;
  std::string ca_file;  // for https://: a private CA's certificate(s), PEM
};
void add_connection_options(CLI::App& command, ConnectionOptions& options);

// Where to connect and as whom.
struct ClientProfile {
  ServerUrl server;
  std::shared_ptr<BearerAuth>
      auth;                      // empty token: no Authorization (a server run with --auth none)
  std::string credentials_path;  // "" when no file is used
};

// Resolves the profile: the server is --server, else the stored login's, else
// $BLENDER_BUS_SERVER, else kDefaultServer. The token comes from --token-file,
// else from the login file (when that login is for the same server). An
// expired access token is refreshed before use; a 401 refreshes it again
// later. Refreshed tokens are written back to the file they came from.
boost::asio::awaitable<ClientProfile> open_profile(boost::asio::any_io_executor executor,
                                                   const ConnectionOptions& options);

}  // namespace blender_bus::cli
