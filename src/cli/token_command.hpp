#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/cluster_flags.hpp"

namespace blender_bus::cli {

// `blender-bus token create|list|revoke`: a user's personal access tokens,
// managed directly in a data directory's store or a cluster's KV (no server
// needed; a running one sees a change within a second, every node of a
// cluster within a round trip, and a revoked token fails from then on).
//
//   token create NAME --user U [--expires 90d|never] [--scope S]... [--data-dir D | --cluster URLS]
//   token list        --user U [--data-dir D | --cluster URLS]
//   token revoke NAME --user U [--data-dir D | --cluster URLS]
//
// `create` prints the token once, on the last line of stdout; only its
// SHA-256 is kept. `list` shows name, scopes, created, expires and last used,
// never a secret. Exit status 0 on success, 1 on any refusal.
void add_token_command(CLI::App& app);

struct TokenCommand {
  enum class Action { create, list, revoke };
  Action action = Action::list;
  std::string name;
  std::string username;
  std::filesystem::path data_dir = "data";
  std::optional<std::string> expires;  // --expires text; nullopt: the default
  std::vector<std::string> scopes;     // empty: the user's scopes
  ClusterFlags cluster;                // --cluster URLS; none: the data directory
};

// Runs `command`; messages to `out`, errors to `err`; returns the exit status.
int run_token_command(const TokenCommand& command, std::ostream& out, std::ostream& err);

}  // namespace blender_bus::cli
