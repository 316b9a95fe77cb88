#include "cli/token_command.hpp"

#include <iostream>
#include <memory>

#include "auth/password_hasher.hpp"
#include "auth/personal_tokens.hpp"
#include "auth/sqlite_personal_token_store.hpp"
#include "auth/sqlite_user_store.hpp"
#include "auth_kv/kv_personal_token_store.hpp"
#include "auth_kv/kv_user_store.hpp"
#include "cli/listing_text.hpp"
#include "cluster/cluster.hpp"
#include "cluster/cluster_start_error.hpp"
#include "nats/library.hpp"
#include "store/database.hpp"
#include "store/store_error.hpp"

namespace blender_bus::cli {

namespace {

std::string utc_time(const std::optional<std::int64_t>& unix_seconds, const char* absent) {
  return unix_seconds ? cli::utc_time(*unix_seconds) : absent;
}

int manage(const TokenCommand& command, const auth::UserStore& users,
           auth::PersonalTokenStore& store, std::ostream& out, std::ostream& err) {
  using Action = TokenCommand::Action;
  auth::PersonalTokens tokens(store, users);
  if (!users.find(command.username)) {
    err << "blender-bus token: no user '" << command.username << "'\n";
    return 1;
  }

  switch (command.action) {
    case Action::create: {
      auth::PersonalTokenRequest request;
      request.username = command.username;
      request.name = command.name;
      if (!command.scopes.empty()) request.scopes = command.scopes;
      if (command.expires) {
        auto lifetime = auth::parse_token_lifetime(*command.expires);
        if (auto* problem = std::get_if<std::string>(&lifetime)) {
          err << "blender-bus token: " << *problem << "\n";
          return 1;
        }
        request.lifetime = std::get<auth::TokenLifetime>(lifetime);
      }
      auto created = tokens.create(request);
      if (auto* problem = std::get_if<auth::PersonalTokenProblem>(&created)) {
        err << "blender-bus token: " << problem->detail << "\n";
        return 1;
      }
      const auto& token = std::get<auth::CreatedPersonalToken>(created);
      out << "Created token '" << token.record.name << "' for '" << command.username << "' (scopes "
          << comma_list(token.record.scopes) << ", expires "
          << utc_time(token.record.expires_at, "never")
          << "). It is shown once; keep it in a file only you can read:\n"
          << token.token << "\n";
      return 0;
    }
    case Action::list:
      for (const auth::PersonalTokenRecord& record : tokens.list(command.username)) {
        out << record.name << "\tscopes=" << comma_list(record.scopes)
            << "\tcreated=" << utc_time(record.created_at, "-")
            << "\texpires=" << utc_time(record.expires_at, "never")
            << "\tlast_used=" << utc_time(record.last_used_at, "never") << "\n";
      }
      return 0;
    case Action::revoke:
      if (auto problem = tokens.revoke(command.username, command.name)) {
        err << "blender-bus token: " << problem->detail << "\n";
        return 1;
      }
      out << "Revoked token '" << command.name << "' of '" << command.username << "'.\n";
      return 0;
  }
  return 1;
}

int run_embedded(const TokenCommand& command, std::ostream& out, std::ostream& err) {
  const std::filesystem::path file = store::Database::file_in(command.data_dir);
  if (!std::filesystem::exists(file)) {
    err << "blender-bus token: no store at " << file.string() << " (is --data-dir right?)\n";
    return 1;
  }
  store::Database db(file);
  // Nothing here hashes a password: the hasher is only the user store's need.
  const auth::PasswordHasher hasher(auth::PasswordHashCost::minimum());
  auth::SqliteUserStore users(db, hasher);
  auth::SqlitePersonalTokenStore store(db);
  return manage(command, users, store, out, err);
}

// Straight to the cluster's KV: every node sees the change within a round
// trip.
int run_clustered(const TokenCommand& command, std::ostream& out, std::ostream& err) {
  const nats::Library library;
  cluster::Cluster cluster(auth_cluster_options(command.cluster),
                           cluster::Provisioning::create_missing);
  const auth::PasswordHasher hasher(auth::PasswordHashCost::minimum());
  auth_kv::KvUserStore users(cluster, hasher);
  auth_kv::KvPersonalTokenStore store(cluster);
  return manage(command, users, store, out, err);
}

}  // namespace

int run_token_command(const TokenCommand& command, std::ostream& out, std::ostream& err) {
  try {
    return command.cluster.servers.empty() ? run_embedded(command, out, err)
                                           : run_clustered(command, out, err);
  } catch (const store::StoreError& e) {
    err << "blender-bus token: " << e.what() << "\n";
  } catch (const cluster::ClusterStartError& e) {
    err << "blender-bus token: --cluster: " << e.what() << "\n";
  } catch (const std::runtime_error& e) {  // NATS errors
    err << "blender-bus token: " << e.what() << "\n";
  }
  return 1;
}

void add_token_command(CLI::App& app) {
  CLI::App* token = app.add_subcommand("token", "Manage a user's personal access tokens");
  token->require_subcommand(1);
  const auto add_leaf = [token](const char* name, const char* help, TokenCommand::Action action,
                                bool takes_name) {
    auto command = std::make_shared<TokenCommand>();
    command->action = action;
    CLI::App* leaf = token->add_subcommand(name, help);
    if (takes_name) leaf->add_option("NAME", command->name, "Token name")->required();
    leaf->add_option("--user", command->username, "Whose tokens")->required();
    CLI::Option* data_dir =
        leaf->add_option("--data-dir", command->data_dir, "Data directory of the server")
            ->capture_default_str();
    add_cluster_flags(*leaf, command->cluster, data_dir, "the users and their tokens");
    if (action == TokenCommand::Action::create) {
      leaf->add_option("--expires", command->expires,
                       "Lifetime: a number with s, m, h or d, or 'never' (default: 90d)");
      leaf->add_option("--scope", command->scopes,
                       "A scope (repeatable; default: the user's; 'metrics' for an admin)");
    }
    leaf->callback([command] {
      const int code = run_token_command(*command, std::cout, std::cerr);
      if (code != 0) throw CLI::RuntimeError(code);
    });
  };
  add_leaf("create", "Create a token; prints it once, on the last line",
           TokenCommand::Action::create, true);
  add_leaf("list", "List the tokens (never their secrets)", TokenCommand::Action::list, false);
  add_leaf("revoke", "Revoke a token at once", TokenCommand::Action::revoke, true);
}

}  // namespace blender_bus::cli
