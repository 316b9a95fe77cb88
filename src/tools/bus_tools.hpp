#pragma once

#include "delivery/bus_service.hpp"
#include "mcp/prompt_registry.hpp"
#include "mcp/resource_registry.hpp"
#include "mcp/tool_registry.hpp"

namespace blender_bus::tools {

// Adds the blender_* tools (the five of SPEC §5, and beyond them
// blender_receive_messages and blender_job_status), the
// blender+blender://bus/clients and blender+blender://bus/stats resources
// (also read as blender://bus/…) and the blender_dispatch_script prompt
// (SPEC §10), and subscribes the bus to session ends (ephemeral clients leave
// with their session). Limits come from `service.limits()`. The service
// must outlive the registries' use, i.e. the server.
void register_bus_tools(mcp::ToolRegistry& tools, mcp::ResourceRegistry& resources,
                        mcp::PromptRegistry& prompts, delivery::BusService& service);

// The pieces, for tests and for a composition that wants only some of them.
mcp::ToolDefinition make_register_client_tool(delivery::BusService& service);
mcp::ToolDefinition make_unregister_client_tool(delivery::BusService& service);
mcp::ToolDefinition make_send_message_tool(delivery::BusService& service);
mcp::ToolDefinition make_job_update_tool(delivery::BusService& service);
mcp::ToolDefinition make_list_available_clients_tool(delivery::BusService& service);
mcp::ToolDefinition make_receive_messages_tool(delivery::BusService& service);
mcp::ToolDefinition make_job_status_tool(delivery::BusService& service);
mcp::ResourceDefinition make_clients_resource(delivery::BusService& service);
mcp::ResourceDefinition make_stats_resource(delivery::BusService& service);
mcp::PromptDefinition make_dispatch_script_prompt(delivery::embedded::BusManager& buses);

}  // namespace blender_bus::tools
