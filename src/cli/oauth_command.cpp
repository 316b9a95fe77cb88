#include "cli/oauth_command.hpp"

#include <chrono>
#include <iostream>
#include <memory>

#include "auth/clock.hpp"
#include "auth/password_hasher.hpp"
#include "auth/sqlite_oauth_grant_store.hpp"
#include "auth/sqlite_user_store.hpp"
#include "auth_kv/kv_oauth_client_store.hpp"
#include "auth_kv/kv_oauth_grant_store.hpp"
#include "auth_kv/kv_user_store.hpp"
#include "cli/listing_text.hpp"
#include "cluster/cluster.hpp"
#include "cluster/cluster_start_error.hpp"
#include "nats/library.hpp"
#include "store/database.hpp"
#include "store/store_error.hpp"

namespace blender_bus::cli {

namespace {

int manage(const OAuthCommand& command, const auth::UserStore& users, auth::OAuthGrantStore& grants,
           std::ostream& out, std::ostream& err) {
  if (!users.find(command.username)) {
    err << "blender-bus oauth: no user '" << command.username << "'\n";
    return 1;
  }
  switch (command.action) {
    case OAuthCommand::Action::clients:
      for (const auth::ConsentedClient& client : grants.consented_clients(
               command.username, auth::unix_seconds(std::chrono::system_clock::now()))) {
        out << client.client_id
            << "\tname=" << (client.client_name.empty() ? "-" : client.client_name)
            << "\tscopes=" << comma_list(client.scopes) << "\tsince=" << utc_time(client.since)
            << "\tgrants=" << client.grants << "\n";
      }
      return 0;
    case OAuthCommand::Action::revoke: {
      const int revoked =
          grants.revoke_client(command.username, command.client_id,
                               auth::unix_seconds(std::chrono::system_clock::now()));
      if (revoked == 0) {
        err << "blender-bus oauth: '" << command.username << "' has no grant to client '"
            << command.client_id << "'\n";
        return 1;
      }
      out << "Revoked client '" << command.client_id << "' of '" << command.username << "' ("
          << revoked << " grant" << (revoked == 1 ? "" : "s") << ").\n";
      return 0;
    }
  }
  return 1;
}

int run_embedded(const OAuthCommand& command, std::ostream& out, std::ostream& err) {
  const std::filesystem::path file = store::Database::file_in(command.data_dir);
  if (!std::filesystem::exists(file)) {
    err << "blender-bus oauth: no store at " << file.string() << " (is --data-dir right?)\n";
    return 1;
  }
  store::Database db(file);
  // Nothing here hashes a password: the hasher is only the user store's need.
  const auth::PasswordHasher hasher(auth::PasswordHashCost::minimum());
  auth::SqliteUserStore users(db, hasher);
  auth::SqliteOAuthGrantStore grants(db);
  return manage(command, users, grants, out, err);
}

// Straight to the cluster's KV: every node sees a revocation within a round
// trip.
int run_clustered(const OAuthCommand& command, std::ostream& out, std::ostream& err) {
  const nats::Library library;
  cluster::Cluster cluster(auth_cluster_options(command.cluster),
                           cluster::Provisioning::create_missing);
  const auth::PasswordHasher hasher(auth::PasswordHashCost::minimum());
  auth_kv::KvUserStore users(cluster, hasher);
  auth_kv::KvOAuthClientStore clients(cluster);
  auth_kv::KvOAuthGrantStore grants(cluster, users, clients);
  return manage(command, users, grants, out, err);
}

}  // namespace

int run_oauth_command(const OAuthCommand& command, std::ostream& out, std::ostream& err) {
  try {
    return command.cluster.servers.empty() ? run_embedded(command, out, err)
                                           : run_clustered(command, out, err);
  } catch (const store::StoreError& e) {
    err << "blender-bus oauth: " << e.what() << "\n";
  } catch (const cluster::ClusterStartError& e) {
    err << "blender-bus oauth: --cluster: " << e.what() << "\n";
  } catch (const std::runtime_error& e) {  // NATS errors
    err << "blender-bus oauth: " << e.what() << "\n";
  }
  return 1;
}

void add_oauth_command(CLI::App& app) {
  CLI::App* oauth = app.add_subcommand("oauth", "Manage the OAuth clients a user consented to");
  oauth->require_subcommand(1);
  const auto add_leaf = [oauth](const char* name, const char* help, OAuthCommand::Action action) {
    auto command = std::make_shared<OAuthCommand>();
    command->action = action;
    CLI::App* leaf = oauth->add_subcommand(name, help);
    if (action == OAuthCommand::Action::revoke) {
      leaf->add_option("CLIENT_ID", command->client_id, "The client's id (see `oauth clients`)")
          ->required();
    }
    leaf->add_option("--user", command->username, "Whose clients")->required();
    CLI::Option* data_dir =
        leaf->add_option("--data-dir", command->data_dir, "Data directory of the server")
            ->capture_default_str();
    add_cluster_flags(*leaf, command->cluster, data_dir, "the users and their OAuth grants");
    leaf->callback([command] {
      const int code = run_oauth_command(*command, std::cout, std::cerr);
      if (code != 0) throw CLI::RuntimeError(code);
    });
  };
  add_leaf("clients", "List the clients the user consented to", OAuthCommand::Action::clients);
  add_leaf("revoke", "Revoke every grant of the user to a client, at once",
           OAuthCommand::Action::revoke);
}

}  // namespace blender_bus::cli
