#include "cli/user_command.hpp"

#include <iostream>
#include <memory>
#include <stdexcept>

#include "auth/default_grants.hpp"
#include "auth/password_hasher.hpp"
#include "auth/private_file.hpp"
#include "auth/refresh_token_store.hpp"
#include "auth/user_store.hpp"
#include "cli/listing_text.hpp"
#include "cli/password_prompt.hpp"
#include "store/bus_store.hpp"
#include "store/database.hpp"
#include "store/store_error.hpp"

namespace blender_bus::cli {

namespace {

int run(const UserCommand& command, std::istream& in, std::ostream& out, std::ostream& err,
        bool fast_hashing) {
  using Action = UserCommand::Action;
  const std::filesystem::path file = store::Database::file_in(command.data_dir);
  if (command.action == Action::add) {
    auth::create_private_directories(command.data_dir);
  } else if (!std::filesystem::exists(file)) {
    // Creating an empty store here would hide a mistyped --data-dir.
    err << "blender-bus user: no store at " << file.string() << " (is --data-dir right?)\n";
    return 1;
  }
  store::Database db(file);
  const auth::PasswordHasher hasher(fast_hashing ? auth::PasswordHashCost::minimum()
                                                 : auth::PasswordHashCost::interactive());
  auth::UserStore users(db, hasher);
  auth::RefreshTokenStore refresh_tokens(db);
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
      const int revoked = refresh_tokens.revoke_all(name, std::chrono::system_clock::now());
      out << "Changed the password of '" << name << "' (" << revoked
          << " refresh token(s) revoked).\n";
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
      store::BusStore buses(db);
      store::BusMutation purge;
      purge.kind = store::BusMutation::Kind::purge_user;
      purge.user_id = name;
      buses.apply(std::span(&purge, 1));
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

}  // namespace

int run_user_command(const UserCommand& command, std::istream& in, std::ostream& out,
                     std::ostream& err, bool fast_hashing) {
  try {
    return run(command, in, out, err, fast_hashing);
  } catch (const std::invalid_argument& e) {  // bad username or password
    err << "blender-bus user: " << e.what() << "\n";
  } catch (const std::runtime_error& e) {  // no password, store errors
    err << "blender-bus user: " << e.what() << "\n";
  }
  return 1;
}

void add_user_command(CLI::App& app) {
  CLI::App* user = app.add_subcommand("user", "Manage the users of a data directory");
  user->require_subcommand(1);

  const auto add_leaf = [user](const char* name, const char* help, UserCommand::Action action,
                               bool takes_name, bool takes_password) {
    auto command = std::make_shared<UserCommand>();
    command->action = action;
    CLI::App* leaf = user->add_subcommand(name, help);
    if (takes_name) leaf->add_option("NAME", command->username, "User name")->required();
    leaf->add_option("--data-dir", command->data_dir, "Data directory of the server")
        ->capture_default_str();
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
