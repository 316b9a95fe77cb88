#include "tools/bus_tools.hpp"

namespace blender_bus::tools {

void register_bus_tools(mcp::ToolRegistry& tools, mcp::ResourceRegistry& resources,
                        mcp::PromptRegistry& prompts, delivery::BusService& service,
                        delivery::ModernChannels* channels) {
  tools.add(make_register_client_tool(service, channels));
  tools.add(make_unregister_client_tool(service));
  tools.add(make_send_message_tool(service));
  tools.add(make_job_update_tool(service));
  tools.add(make_list_available_clients_tool(service));
  tools.add(make_receive_messages_tool(service, channels));
  tools.add(make_job_status_tool(service));
  resources.add(make_clients_resource(service));
  resources.add(make_stats_resource(service));
  if (channels) resources.add_template(make_inbox_resource(service, *channels));
  prompts.add(make_dispatch_script_prompt(service.buses()));
  service.sessions().on_end([&directory = service.directory()](const mcp::Session& session) {
    directory.end_holder(session.user_id(), session.id());
  });
}

}  // namespace blender_bus::tools
