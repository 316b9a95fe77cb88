#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <ostream>
#include <string>

#include "cli/cluster_flags.hpp"

namespace blender_bus::cli {

// `blender-bus oauth clients|revoke`: the OAuth clients a user consented to,
// managed directly in a data directory's store or a cluster's KV (no server
// needed; a running one sees a revocation within a second, every node of a
// cluster within a round trip: the grant's tokens fail and the user's
// sessions end).
//
//   oauth clients --user U [--data-dir D | --cluster URLS]            client id, name, scopes,
//   since oauth revoke CLIENT_ID --user U [--data-dir D | --cluster URLS]   ends every grant to
//   that client
//
// Exit status 0 on success, 1 on any refusal (no store, no user, no grant).
void add_oauth_command(CLI::App& app);

struct OAuthCommand {
  enum class Action { clients, revoke };
  Action action = Action::clients;
  std::string client_id;
  std::string username;
  std::filesystem::path data_dir = "data";
  ClusterFlags cluster;  // --cluster URLS; none: the data directory
};

// Runs `command`; messages to `out`, errors to `err`; returns the exit status.
int run_oauth_command(const OAuthCommand& command, std::ostream& out, std::ostream& err);

}  // namespace blender_bus::cli
