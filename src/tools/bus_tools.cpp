#include "tools/bus_tools.hpp"

namespace blender_bus::tools {

void register_bus_tools(mcp::ToolRegistry& tools, mcp::ResourceRegistry& resources,
                        mcp::PromptRegistry& prompts, DeliveryHub& hub) {
  tools.add(make_register_client_tool(hub));
  tools.add(make_unregister_client_tool(hub));
  tools.add(make_send_message_tool(hub));
  tools.add(make_job_update_tool(hub));
  tools.add(make_list_available_clients_tool(hub));
  tools.add(make_receive_messages_tool(hub));
  tools.add(make_job_status_tool(hub));
  resources.add(make_clients_resource(hub));
  resources.add(make_stats_resource(hub.buses()));
  prompts.add(make_dispatch_script_prompt(hub.buses()));
  hub.sessions().on_end([&buses = hub.buses()](const mcp::Session& session) {
    buses.on_session_end(session.user_id(), session.id());
  });
}

}  // namespace blender_bus::tools
