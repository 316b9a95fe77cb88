#include "cli/bus_command.hpp"

#include <sodium.h>

#include <iostream>
#include <memory>

#include "cli/tool_memberships.hpp"
#include "cluster/cluster.hpp"
#include "cluster/cluster_start_error.hpp"
#include "nats/library.hpp"
#include "sharing/bus_memberships.hpp"
#include "sharing/shared_bus_store.hpp"
#include "sharing_kv/kv_shared_bus_store.hpp"
#include "sharing_kv/sharing_bucket.hpp"
#include "store/database.hpp"
#include "store/store_error.hpp"
#include "tools/bus_access.hpp"

namespace blender_bus::cli {

namespace {

// An error answer's text, or empty when `answer` holds a value.
template <class T>
std::string error_of(const sharing::Answer<T>& answer) {
  const auto* error = std::get_if<std::string>(&answer);
  return error ? *error : std::string();
}

int fail(std::ostream& err, std::string_view error) {
  err << "blender-bus bus: " << error << "\n";
  return 1;
}

// The command's bus through the tools' one check, as `command.as_user`.
std::optional<tools::BusGrant> checked(const tools::BusAccess& access, const BusCommand& command,
                                       sharing::BusAction action, std::ostream& err) {
  auto grant = access.check(command.as_user, command.bus_id, action);
  if (auto* refusal = std::get_if<tools::BusRefusal>(&grant)) {
    fail(err, refusal->at("error").as_string());
    return std::nullopt;
  }
  if (!std::get<tools::BusGrant>(grant).shared()) {
    fail(err, "a personal bus has no members to manage");
    return std::nullopt;
  }
  return std::get<tools::BusGrant>(grant);
}

// The action over whichever store holds the shared buses, under the rules
// of BusMemberships and the tools' one check.
int manage(const BusCommand& c, sharing::SharedBusStorage& store, std::ostream& out,
           std::ostream& err) {
  const auto memberships = make_tool_memberships(store);
  sharing::BusMemberships& buses = *memberships;
  const tools::BusAccess access(&buses);
  using sharing::BusAction;
  if (c.action == "create") {
    const sharing::BusView bus = buses.create(c.as_user, c.name);
    out << "Created bus '" << bus.name << "' " << bus.bus_id << ", owned by " << c.as_user << ".\n";
    return 0;
  }
  if (c.action == "list") {
    for (const auto& bus : buses.buses_of(c.as_user)) {
      out << bus.bus_id << "  " << sharing::role_name(bus.role) << "  " << bus.name << "\n";
    }
    return 0;
  }
  if (c.action == "join") {
    auto joined = buses.join(c.as_user, c.name);
    if (auto e = error_of(joined); !e.empty()) return fail(err, e);
    const auto& bus = std::get<sharing::BusView>(joined);
    out << c.as_user << " joined '" << bus.name << "' " << bus.bus_id << " as "
        << sharing::role_name(bus.role) << ".\n";
    return 0;
  }
  if (c.action == "invite") {
    auto grant = checked(access, c, BusAction::invite, err);
    if (!grant) return 1;
    const auto role = sharing::parse_role(c.role);
    if (!role || *role == sharing::BusRole::owner) return fail(err, "--role is member or guest");
    auto invited = buses.invite(grant->wire_id, c.as_user, c.username, *role);
    if (auto e = error_of(invited); !e.empty()) return fail(err, e);
    const auto& inv = std::get<sharing::InvitationView>(invited);
    out << inv.code << "\n";
    err << "An invitation for " << inv.username << " as " << sharing::role_name(inv.role) << " on "
        << inv.bus_id << ", usable once, for " << buses.invitation_lifetime().count() / 3600
        << " h.\n";
    return 0;
  }
  if (c.action == "members") {
    auto grant = checked(access, c, BusAction::list_members, err);
    if (!grant) return 1;
    for (const auto& m : buses.members(grant->wire_id)) {
      out << m.username << "  " << sharing::role_name(m.role) << "\n";
    }
    return 0;
  }
  if (c.action == "remove-member" || c.action == "leave") {
    const bool leaving = c.action == "leave";
    auto grant = checked(access, c, leaving ? BusAction::leave : BusAction::remove_member, err);
    if (!grant) return 1;
    const std::string& who = leaving ? c.as_user : c.username;
    auto removed = buses.remove_member(grant->wire_id, who);
    if (auto e = error_of(removed); !e.empty()) return fail(err, e);
    out << who << " is off " << grant->wire_id << " ("
        << std::get<std::vector<std::string>>(removed).size()
        << " client(s) leave it as soon as a running server reads the change).\n";
    return 0;
  }
  if (c.action == "set-role") {
    auto grant = checked(access, c, BusAction::set_role, err);
    if (!grant) return 1;
    const auto role = sharing::parse_role(c.role);
    if (!role) return fail(err, "ROLE is owner, member or guest");
    auto changed = buses.set_role(grant->wire_id, c.username, *role);
    if (auto e = error_of(changed); !e.empty()) return fail(err, e);
    out << c.username << " is " << sharing::role_name(*role) << " on " << grant->wire_id << ".\n";
    return 0;
  }
  return fail(err, "unknown action '" + c.action + "'");
}

int run_embedded(const BusCommand& c, std::ostream& out, std::ostream& err) {
  store::Database db(store::Database::file_in(c.data_dir));
  sharing::SharedBusStore store(db);
  return manage(c, store, out, err);
}

// Straight to the cluster's KV (no node needed): every node's mirror shows
// the change a round trip later, and a member removed here leaves there.
int run_clustered(const BusCommand& c, std::ostream& out, std::ostream& err) {
  const nats::Library library;
  cluster::Cluster cluster(tool_cluster_options(c.cluster, {sharing_kv::sharing_bucket()}),
                           cluster::Provisioning::create_missing);
  sharing_kv::KvSharedBusStore store(cluster);
  return manage(c, store, out, err);
}

int run(const BusCommand& c, std::ostream& out, std::ostream& err) {
  if (c.as_user.empty()) return fail(err, "--as USER is required");
  if (sodium_init() < 0) return fail(err, "libsodium failed to initialize");
  return c.cluster.servers.empty() ? run_embedded(c, out, err) : run_clustered(c, out, err);
}

}  // namespace

int run_bus_command(const BusCommand& command, std::ostream& out, std::ostream& err) {
  try {
    return run(command, out, err);
  } catch (const std::invalid_argument& e) {  // a bad --cluster URL
    err << "blender-bus bus: --cluster: " << e.what() << "\n";
  } catch (const cluster::ClusterStartError& e) {
    err << "blender-bus bus: --cluster: " << e.what() << "\n";
  } catch (const std::runtime_error& e) {  // store errors, NATS errors
    err << "blender-bus bus: " << e.what() << "\n";
  }
  return 1;
}

void add_bus_command(CLI::App& app) {
  CLI::App* bus =
      app.add_subcommand("bus", "Manage shared buses in a data directory, or in a cluster");
  bus->require_subcommand(1);
  struct Leaf {
    const char* name;
    const char* help;
    std::vector<std::pair<const char*, std::string BusCommand::*>> positionals;
  };
  const Leaf leaves[] = {
      {"create", "Create a shared bus owned by --as", {{"NAME", &BusCommand::name}}},
      {"list", "List --as's shared buses", {}},
      {"invite",
       "Invite USERNAME (--role member|guest); prints the code",
       {{"BUS_ID", &BusCommand::bus_id}, {"USERNAME", &BusCommand::username}}},
      {"join", "Accept an invitation as --as", {{"CODE", &BusCommand::name}}},
      {"members", "List a shared bus's members", {{"BUS_ID", &BusCommand::bus_id}}},
      {"remove-member",
       "Take a member off a shared bus",
       {{"BUS_ID", &BusCommand::bus_id}, {"USERNAME", &BusCommand::username}}},
      {"set-role",
       "Change a member's role",
       {{"BUS_ID", &BusCommand::bus_id},
        {"USERNAME", &BusCommand::username},
        {"ROLE", &BusCommand::role}}},
      {"leave", "Leave a shared bus as --as", {{"BUS_ID", &BusCommand::bus_id}}},
  };
  for (const Leaf& leaf : leaves) {
    auto command = std::make_shared<BusCommand>();
    command->action = leaf.name;
    CLI::App* sub = bus->add_subcommand(leaf.name, leaf.help);
    for (const auto& [name, member] : leaf.positionals) {
      sub->add_option(name, (*command).*member)->required();
    }
    sub->add_option("--as", command->as_user, "The user the command acts as")->required();
    if (command->action == "invite") {
      sub->add_option("--role", command->role, "member or guest")
          ->required()
          ->check(CLI::IsMember({"member", "guest"}));
    }
    CLI::Option* data_dir =
        sub->add_option("--data-dir", command->data_dir, "Data directory of the server")
            ->capture_default_str();
    add_cluster_flags(*sub, command->cluster, data_dir, "the shared buses");
    sub->callback([command] {
      const int code = run_bus_command(*command, std::cout, std::cerr);
      if (code != 0) throw CLI::RuntimeError(code);
    });
  }
}

}  // namespace blender_bus::cli
