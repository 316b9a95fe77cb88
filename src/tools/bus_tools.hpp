#pragma once

#include "bus/bus_manager.hpp"
#include "mcp/prompt_registry.hpp"
#include "mcp/resource_registry.hpp"
#include "mcp/session_registry.hpp"
#include "mcp/tool_registry.hpp"

namespace blender_bus::tools {

// Adds the five blender_* tools, the blender://bus/clients and
// blender://bus/stats resources and the blender_dispatch_script prompt (SPEC
// §5, §10), and subscribes the bus to session ends (ephemeral clients leave
// with their session). Limits come from `buses.limits()`. Every reference must
// outlive the registries' use, i.e. the server.
void register_bus_tools(mcp::ToolRegistry& tools, mcp::ResourceRegistry& resources,
                        mcp::PromptRegistry& prompts, bus::BusManager& buses,
                        mcp::SessionRegistry& sessions);

// The pieces, for tests and for a composition that wants only some of them.
mcp::ToolDefinition make_register_client_tool(bus::BusManager& buses);
mcp::ToolDefinition make_unregister_client_tool(bus::BusManager& buses);
mcp::ToolDefinition make_send_message_tool(bus::BusManager& buses, mcp::SessionRegistry& sessions);
mcp::ToolDefinition make_job_update_tool(bus::BusManager& buses, mcp::SessionRegistry& sessions);
mcp::ToolDefinition make_list_available_clients_tool(bus::BusManager& buses);
mcp::ResourceDefinition make_clients_resource(bus::BusManager& buses);
mcp::ResourceDefinition make_stats_resource(bus::BusManager& buses);
mcp::PromptDefinition make_dispatch_script_prompt(bus::BusManager& buses);

}  // namespace blender_bus::tools
