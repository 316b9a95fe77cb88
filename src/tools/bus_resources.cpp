// The bus resources (SPEC §10). The original registers them through FastMCP's
// register_all(prefix="blender"), which prefixes resource URIs with
// "blender+": its clients read blender+blender://bus/clients. That spelling
// is the listed one; the plain blender://bus/… is served as an alias.
#include "json/serializer.hpp"
#include "tools/bus_tools.hpp"
#include "tools/sync_handlers.hpp"

namespace blender_bus::tools {

mcp::ResourceDefinition make_clients_resource(DeliveryHub& hub) {
  return {
      "blender+blender://bus/clients",
      "bus-clients",
      "The clients on your bus: {\"user_id\",\"persistent\":[…],\"ephemeral\":[…]}.",
      "application/json",
      sync_reader([&hub](mcp::CallContext& ctx) {
        return blender_bus::json::to_text(
            hub.buses().bus(ctx.user_id())->clients_resource(hub.presence()));
      }),
      {"blender://bus/clients"},
  };
}

mcp::ResourceDefinition make_stats_resource(bus::BusManager& buses) {
  return {
      "blender+blender://bus/stats",
      "bus-stats",
      "Counts for your bus: {\"user_id\",\"persistent_count\",\"ephemeral_count\","
      "\"pending_jobs_for_user\",\"dropped_records\",\"pending_records\"}.",
      "application/json",
      sync_reader([&buses](mcp::CallContext& ctx) {
        return blender_bus::json::to_text(buses.bus(ctx.user_id())->stats_resource());
      }),
      {"blender://bus/stats"},
  };
}

}  // namespace blender_bus::tools
