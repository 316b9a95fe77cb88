#pragma once

#include <boost/json/object.hpp>

#include "bus/limits.hpp"

namespace blender_bus::tools {

// The inputSchema of each bus tool (SPEC §5). Length and count limits come
// from bus::Limits, so the dispatcher's schema check and the bus agree.
boost::json::object register_client_schema(const bus::Limits& limits);
boost::json::object unregister_client_schema(const bus::Limits& limits);
boost::json::object send_message_schema(const bus::Limits& limits);
boost::json::object job_update_schema();
boost::json::object list_available_clients_schema();
boost::json::object receive_messages_schema(const bus::Limits& limits);
boost::json::object job_status_schema();
// `schema` with the optional "bus_id" of every tool that acts on a bus.
boost::json::object with_bus_id(boost::json::object schema);
// The shared buses' tools.
boost::json::object bus_create_schema();
boost::json::object bus_list_schema();
boost::json::object bus_invite_schema();
boost::json::object bus_join_schema();
boost::json::object bus_members_schema();
boost::json::object bus_remove_member_schema();
boost::json::object bus_set_role_schema();
boost::json::object bus_leave_schema();

}  // namespace blender_bus::tools
