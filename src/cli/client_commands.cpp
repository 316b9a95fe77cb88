#include "cli/client_commands.hpp"

#include "cli/call_command.hpp"
#include "cli/cancel_command.hpp"
#include "cli/clients_command.hpp"
#include "cli/listen_command.hpp"
#include "cli/login_command.hpp"
#include "cli/send_command.hpp"

namespace blender_bus::cli {

void add_client_commands(CLI::App& app) {
  add_login_command(app);
  add_clients_command(app);
  add_send_command(app);
  add_cancel_command(app);
  add_listen_command(app);
  add_call_command(app);
}

}  // namespace blender_bus::cli
