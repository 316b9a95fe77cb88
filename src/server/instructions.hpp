#pragma once

#include <string_view>

namespace blender_bus::server {

// The `instructions` of initialize and server/discover: how an assistant uses
// the bus, on either protocol era.
inline constexpr std::string_view kBusInstructions =
    "blender-bus is your private message bus to Blender. "
    "1) Call blender_register_client with your own client_uuid and client_type \"llm\" "
    "(is_persistent false). "
    "2) Call blender_list_available_clients to see the Blender instances (client_type "
    "\"blender\") and their group_id. "
    "3) To run Python in Blender, call blender_send_message with payload "
    "{\"message_type\":\"job_dispatch\",\"job_id\":\"job-<unique>\",\"script\":\"import "
    "bpy\\n...\"}, "
    "from_uuid set to your client_uuid, and one of target_uuid, group_id or client_type "
    "(none = broadcast). "
    "4) Replies arrive as notifications/message records (logger \"_message_bus\") whose "
    "data.payload is {\"kind\":\"job_update\",\"job_id\",\"status\",\"result\",\"error\"}; "
    "status running means wait, completed/failed/cancelled is final. "
    "On MCP 2026-07-28 (no session) they wait in your client's inbox instead: call "
    "blender_receive_messages {client_uuid, after: <next of your last call>, wait_seconds: 30} "
    "with _meta io.modelcontextprotocol/logLevel \"info\" to get each record live as "
    "notifications/message, or subscriptions/listen on blender://bus/inbox/<client_uuid> and "
    "read it when told. "
    "A shared bus you are on (blender_bus_list) works the same in either era: add its bus_id "
    "to every call, and ?bus_id=<bus_id> to the inbox uri. "
    "The prompt blender_dispatch_script shows a complete example.";

}  // namespace blender_bus::server
