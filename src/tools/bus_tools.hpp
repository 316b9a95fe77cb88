#pragma once

#include "delivery/bus_service.hpp"
#include "delivery/modern_channels.hpp"
#include "mcp/prompt_registry.hpp"
#include "mcp/resource_registry.hpp"
#include "mcp/tool_registry.hpp"
#include "tools/bus_access.hpp"

namespace blender_bus::tools {

// Adds the blender_* tools (the five of SPEC §5, and beyond them
// blender_receive_messages and blender_job_status), the
// blender+blender://bus/clients and blender+blender://bus/stats resources
// (also read as blender://bus/…) and the blender_dispatch_script prompt
// (SPEC §10), and subscribes the bus to session ends (ephemeral clients leave
// with their session). Limits come from `service.limits()`. The service
// must outlive the registries' use, i.e. the server. With `channels` (the
// delivery channels of MCP 2026-07-28 clients), modern requests bind the
// clients they register there, blender_receive_messages streams, and the
// inbox resource template blender://bus/inbox/{client_uuid} is added.
// Every tool and resource that acts on a bus takes an optional bus_id and
// goes through `access` (which must outlive the registries too); with
// memberships, the blender_bus_* tools and the ?bus_id= resource templates
// are added.
void register_bus_tools(mcp::ToolRegistry& tools, mcp::ResourceRegistry& resources,
                        mcp::PromptRegistry& prompts, delivery::BusService& service,
                        const BusAccess& access, delivery::ModernChannels* channels = nullptr);

// The pieces, for tests and for a composition that wants only some of them.
mcp::ToolDefinition make_register_client_tool(delivery::BusService& service,
                                              const BusAccess& access,
                                              delivery::ModernChannels* channels = nullptr);
mcp::ToolDefinition make_unregister_client_tool(delivery::BusService& service,
                                                const BusAccess& access);
mcp::ToolDefinition make_send_message_tool(delivery::BusService& service, const BusAccess& access);
mcp::ToolDefinition make_job_update_tool(delivery::BusService& service, const BusAccess& access);
mcp::ToolDefinition make_list_available_clients_tool(delivery::BusService& service,
                                                     const BusAccess& access);
mcp::ToolDefinition make_receive_messages_tool(delivery::BusService& service,
                                               const BusAccess& access,
                                               delivery::ModernChannels* channels = nullptr);
mcp::ToolDefinition make_job_status_tool(delivery::BusService& service, const BusAccess& access);
mcp::ResourceDefinition make_clients_resource(delivery::BusService& service,
                                              const BusAccess& access);
mcp::ResourceDefinition make_stats_resource(delivery::BusService& service, const BusAccess& access);
// The clients and stats resources of a shared bus: <uri>?bus_id=<id>, both spellings.
std::vector<mcp::ResourceTemplateDefinition> make_shared_bus_resources(
    delivery::BusService& service, const BusAccess& access);
mcp::ResourceTemplateDefinition make_inbox_resource(delivery::BusService& service,
                                                    const BusAccess& access,
                                                    delivery::ModernChannels& channels);
// blender_bus_create, _list, _invite, _join, _members, _remove_member,
// _set_role and _leave; `access` must have memberships.
std::vector<mcp::ToolDefinition> make_shared_bus_tools(delivery::BusService& service,
                                                       const BusAccess& access);
mcp::PromptDefinition make_dispatch_script_prompt(delivery::embedded::BusManager& buses);

}  // namespace blender_bus::tools
