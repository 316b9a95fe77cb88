#include "tools/bus_tools.hpp"

namespace blender_bus::tools {

void register_bus_tools(mcp::ToolRegistry& tools, mcp::ResourceRegistry& resources,
                        mcp::PromptRegistry& prompts, delivery::BusService& service,
                        const BusAccess& access, delivery::ModernChannels* channels) {
  tools.add(make_register_client_tool(service, access, channels));
  tools.add(make_unregister_client_tool(service, access));
  tools.add(make_send_message_tool(service, access));
  tools.add(make_job_update_tool(service, access));
  tools.add(make_list_available_clients_tool(service, access));
  tools.add(make_receive_messages_tool(service, access, channels));
  tools.add(make_job_status_tool(service, access));
  resources.add(make_clients_resource(service, access));
  resources.add(make_stats_resource(service, access));
  if (channels) resources.add_template(make_inbox_resource(service, access, *channels));
  if (access.memberships()) {
    for (auto& tool : make_shared_bus_tools(service, access)) tools.add(std::move(tool));
    for (auto& t : make_shared_bus_resources(service, access)) resources.add_template(std::move(t));
  }
  prompts.add(make_dispatch_script_prompt(service.buses()));
  service.sessions().on_end(
      [&service](const mcp::Session& session) { service.session_ended(session); });
}

}  // namespace blender_bus::tools
