#include "cli/user_command.hpp"

#include <functional>
#include <iostream>
#include <memory>
#include <stdexcept>

#include "auth/default_grants.hpp"
#include "auth/password_hasher.hpp"
#include "auth/private_file.hpp"
#include "auth/sqlite_refresh_token_store.hpp"
#include "auth/sqlite_user_store.hpp"
#include "auth/token_config.hpp"
#include "auth_kv/auth_buckets.hpp"
#include "auth_kv/kv_refresh_token_store.hpp"
#include "auth_kv/kv_user_store.hpp"
#include "cli/cluster_user_purge.hpp"
#include "cli/listing_text.hpp"
#include "cli/password_prompt.hpp"
#include "cli/store_user_purge.hpp"
#include "cluster/cluster.hpp"
#include "cluster/cluster_start_error.hpp"
#include "nats/library.hpp"
#include "nats/nats_error.hpp"
#include "store/database.hpp"
#include "store/store_error.hpp"

namespace blender_bus::cli {

namespace {

// The action over whichever stores hold the users. `purge_bus` deletes the
// user's bus (the embedded store; a cluster's JetStream engine and shared
// buses).
int manage(const UserCommand& command, auth::UserStore& users,
           auth::RefreshTokenStore& refresh_tokens, const std::function<void()>& purge_bus,
           std::istream& in, std::ostream& out, std::ostream& err) {
  using Action = UserCommand::Action;
  const std::string& name = command.username;
  switch (command.action) {
    case Action::add: {
      if (users.find(name)) {
        err << "blender-bus user: user '" << name << "' already exists\n";
        return 1;
      }
      const auth::Grants defaults = auth::user_grants();
      const std::string password = read_new_password(command.password_stdin, in, err);
      if (!users.add(name, password, command.roles.empty() ? defaults.roles : command.roles,
                     command.scopes.empty() ? defaults.scopes : command.scopes)) {
        err << "blender-bus user: user '" << name << "' already exists\n";
        return 1;
      }
      out << "Created user '" << name << "'.\n";
      return 0;
    }
    case Action::passwd: {
      if (!users.find(name)) {
        err << "blender-bus user: no user '" << name << "'\n";
        return 1;
      }
      const std::string password = read_new_password(command.password_stdin, in, err);
      if (!users.set_password(name, password)) {
        err << "blender-bus user: no user '" << name << "'\n";
        return 1;
      }
      // A new password ends what the old one started: the access tokens (by
      // their generation, which set_password moved on) and the refresh tokens.
      refresh_tokens.revoke_all(name, std::chrono::system_clock::now());
      out << "Changed the password of '" << name << "' (their tokens are revoked).\n";
      return 0;
    }
    case Action::del: {
      if (!users.find(name)) {
        err << "blender-bus user: no user '" << name << "'\n";
        return 1;
      }
      // The bus first: should the user's removal fail after it, the user is
      // still there with an empty bus, and `del` can be run again. A running
      // server notices the deletion within a second and purges its memory
      // (and what it wrote since) too.
      if (purge_bus) purge_bus();
      if (!users.remove(name)) {
        err << "blender-bus user: no user '" << name << "'\n";
        return 1;
      }
      out << "Deleted user '" << name << "' and their bus.\n";
      return 0;
    }
    case Action::list:
      for (const auto& user : users.list()) {
        out << user.username << "\troles=" << comma_list(user.roles)
            << "\tscopes=" << comma_list(user.scopes)
            << "\tcreated=" << utc_time(static_cast<std::int64_t>(user.created_at)) << "\n";
      }
      return 0;
  }
  return 1;
}

int run_embedded(const UserCommand& command, const auth::PasswordHasher& hasher, std::istream& in,
                 std::ostream& out, std::ostream& err) {
  const std::filesystem::path file = store::Database::file_in(command.data_dir);
  if (command.action == UserCommand::Action::add) {
    auth::create_private_directories(command.data_dir);
  } else if (!std::filesystem::exists(file)) {
    // Creating an empty store here would hide a mistyped --data-dir.
    err << "blender-bus user: no store at " << file.string() << " (is --data-dir right?)\n";
    return 1;
  }
  store::Database db(file);
  auth::SqliteUserStore users(db, hasher);
  auth::SqliteRefreshTokenStore refresh_tokens(db);
  const auto purge_bus = [&db, &command] { purge_user_from_store(db, command.username); };
  return manage(command, users, refresh_tokens, purge_bus, in, out, err);
}

// Straight to the cluster's KV (no node needed). Its buckets are made when
// missing, and left as they are otherwise (the nodes chose their replicas).
// `del` purges the user's bus itself, so that it goes with no node running.
int run_clustered(const UserCommand& command, const auth::PasswordHasher& hasher, std::istream& in,
                  std::ostream& out, std::ostream& err) {
  cluster::ClusterOptions options = auth_cluster_options(command.cluster);
  const bool deleting = command.action == UserCommand::Action::del;
  if (deleting) {
    for (auto& bucket : user_purge_buckets()) options.buckets.push_back(std::move(bucket));
    options.streams = user_purge_streams();
  }
  const nats::Library library;
  cluster::Cluster cluster(options, cluster::Provisioning::create_missing);
  auth_kv::KvUserStore users(cluster, hasher);
  auth_kv::KvRefreshTokenStore refresh_tokens(cluster, users);
  const auto purge_bus = [&cluster, &command] {
    purge_user_from_cluster(cluster, command.username);
  };
  return manage(command, users, refresh_tokens,
                deleting ? std::function<void()>(purge_bus) : nullptr, in, out, err);
}

int run(const UserCommand& command, std::istream& in, std::ostream& out, std::ostream& err,
        bool fast_hashing) {
  const auth::PasswordHasher hasher(fast_hashing ? auth::PasswordHashCost::minimum()
                                                 : auth::PasswordHashCost::interactive());
  if (command.cluster.servers.empty()) return run_embedded(command, hasher, in, out, err);
  return run_clustered(command, hasher, in, out, err);
}

}  // namespace

int run_user_command(const UserCommand& command, std::istream& in, std::ostream& out,
                     std::ostream& err, bool fast_hashing) {
  try {
    return run(command, in, out, err, fast_hashing);
  } catch (const std::invalid_argument& e) {  // bad username or password
    err << "blender-bus user: " << e.what() << "\n";
  } catch (const cluster::ClusterStartError& e) {
    err << "blender-bus user: --cluster: " << e.what() << "\n";
  } catch (const std::runtime_error& e) {  // no password, store errors, NATS errors
    err << "blender-bus user: " << e.what() << "\n";
  }
  return 1;
}

void add_user_command(CLI::App& app) {
  CLI::App* user =
      app.add_subcommand("user", "Manage the users of a data directory, or of a cluster");
  user->require_subcommand(1);

  const auto add_leaf = [user](const char* name, const char* help, UserCommand::Action action,
                               bool takes_name, bool takes_password) {
    auto command = std::make_shared<UserCommand>();
    command->action = action;
    CLI::App* leaf = user->add_subcommand(name, help);
    if (takes_name) leaf->add_option("NAME", command->username, "User name")->required();
    CLI::Option* data_dir =
        leaf->add_option("--data-dir", command->data_dir, "Data directory of the server")
            ->capture_default_str();
    add_cluster_flags(*leaf, command->cluster, data_dir, "the users");
    if (takes_password) {
      leaf->add_flag("--password-stdin", command->password_stdin,
                     "Read the password from the first line of stdin");
    }
    if (action == UserCommand::Action::add) {
      leaf->add_option("--role", command->roles, "A role (repeatable; default: user)");
      leaf->add_option("--scope", command->scopes, "A scope (repeatable; default: read, write)");
    }
    leaf->callback([command] {
      const int code = run_user_command(*command, std::cin, std::cout, std::cerr);
      if (code != 0) throw CLI::RuntimeError(code);
    });
  };
  add_leaf("add", "Create a user", UserCommand::Action::add, true, true);
  add_leaf("passwd", "Change a user's password (revokes their tokens)", UserCommand::Action::passwd,
           true, true);
  add_leaf("del", "Delete a user, their tokens and their bus (clients, inboxes, jobs)",
           UserCommand::Action::del, true, false);
  add_leaf("list", "List the users", UserCommand::Action::list, false, false);
}

}  // namespace blender_bus::cli
