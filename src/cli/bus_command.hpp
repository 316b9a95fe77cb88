#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <ostream>
#include <string>

#include "cli/cluster_flags.hpp"

namespace blender_bus::cli {

// `blender-bus bus …`: the shared buses' tools for the operator, directly on
// a data directory's store or on a cluster's KV (BUS_SHARING) (no server or
// node needed; safe beside running ones, which read the change within a
// second, a node a round trip after it, and take a removed member's clients
// off the bus at once). The operator acts as `--as USER`, under the
// same rules as that user's tools (the role table, the last owner):
//
//   bus create NAME              --as USER
//   bus list                     --as USER
//   bus invite BUS_ID USERNAME   --as USER --role member|guest   (prints the code)
//   bus join CODE                --as USER
//   bus members BUS_ID           --as USER
//   bus remove-member BUS_ID USERNAME --as USER
//   bus set-role BUS_ID USERNAME ROLE --as USER
//   bus leave BUS_ID             --as USER
//
// Every command takes --data-dir D (default "data", as for `serve`) or
// --cluster URLS [--cluster-replicas N] [--cluster-wait S] (the bucket is
// made when no node has made it), and prints what it did; exit status 0 on
// success, 1 on any refusal.
void add_bus_command(CLI::App& app);

// One `bus` invocation, for tests.
struct BusCommand {
  std::string action;  // create, list, invite, join, members, remove-member, set-role, leave
  std::string as_user;
  std::string name;      // create: the bus's name; join: the code
  std::string bus_id;    // invite, members, remove-member, set-role, leave
  std::string username;  // invite, remove-member, set-role
  std::string role;      // invite, set-role
  std::filesystem::path data_dir = "data";
  ClusterFlags cluster;  // --cluster URLS; none: the data directory
};

int run_bus_command(const BusCommand& command, std::ostream& out, std::ostream& err);

}  // namespace blender_bus::cli
