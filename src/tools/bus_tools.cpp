#include "tools/bus_tools.hpp"

namespace blender_bus::tools {

void register_bus_tools(mcp::ToolRegistry& tools, mcp::ResourceRegistry& resources,
                        mcp::PromptRegistry& prompts, bus::BusManager& buses,
                        mcp::SessionRegistry& sessions) {
  tools.add(make_register_client_tool(buses));
  tools.add(make_unregister_client_tool(buses));
  tools.add(make_send_message_tool(buses, sessions));
  tools.add(make_job_update_tool(buses, sessions));
  tools.add(make_list_available_clients_tool(buses));
  resources.add(make_clients_resource(buses));
  resources.add(make_stats_resource(buses));
  prompts.add(make_dispatch_script_prompt(buses));
  sessions.on_end([&buses](const mcp::Session& session) {
    buses.on_session_end(session.user_id(), session.id());
  });
}

}  // namespace blender_bus::tools
