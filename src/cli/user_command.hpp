#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "cli/cluster_flags.hpp"

namespace blender_bus::cli {

// `blender-bus user add|passwd|del|list`: manages the users of a data
// directory's store, or of a cluster's KV, directly (no server needed; safe
// beside running ones, which see the change within a second).
//
//   user add NAME    [WHERE] [--password-stdin] [--role R]... [--scope S]...
//   user passwd NAME [WHERE] [--password-stdin]   (revokes NAME's tokens)
//   user del NAME    [WHERE]                      (and NAME's tokens and bus)
//   user list        [WHERE]
// where WHERE is --data-dir D or --cluster URLS.
//
// --data-dir defaults to "data", as for `serve`. With --cluster the command
// makes the buckets it needs when no node has (--cluster-replicas, default
// 1) and leaves existing ones as they are; `del` purges the user's bus from
// the cluster itself (cluster_user_purge.hpp), with or without nodes running.
// The password comes from a no-echo prompt when stdin is a terminal, else
// from stdin's first line with --password-stdin. Exit status 0 on success, 1
// on any refusal.
void add_user_command(CLI::App& app);

// What one `user` invocation asked for; exposed so that tests can run it
// without a terminal or a process.
struct UserCommand {
  enum class Action { add, passwd, del, list };
  Action action = Action::list;
  std::string username;
  std::filesystem::path data_dir = "data";
  bool password_stdin = false;
  std::vector<std::string> roles;   // add: empty → the default user grants
  std::vector<std::string> scopes;  // add: empty → the default user grants
  ClusterFlags cluster;             // --cluster URLS; none: the data directory
};

// Runs `command`; messages to `out`, errors to `err`; returns the exit status.
// `fast_hashing` (tests only) uses argon2id's minimum cost.
int run_user_command(const UserCommand& command, std::istream& in, std::ostream& out,
                     std::ostream& err, bool fast_hashing = false);

}  // namespace blender_bus::cli
