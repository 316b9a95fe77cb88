// The bus resources (SPEC §10). The original registers them through FastMCP's
// register_all(prefix="blender"), which prefixes resource URIs with
// "blender+": its clients read blender+blender://bus/clients. That spelling
// is the listed one; the plain blender://bus/… is served as an alias.
#include "json/serializer.hpp"
#include "tools/bus_tools.hpp"
#include "tools/sync_handlers.hpp"

namespace blender_bus::tools {

mcp::ResourceDefinition make_clients_resource(delivery::BusService& service) {
  return {
      "blender+blender://bus/clients",
      "bus-clients",
      "The clients on your bus: {\"user_id\",\"persistent\":[…],\"ephemeral\":[…]}.",
      "application/json",
      sync_reader([&service](mcp::CallContext& ctx) {
        return blender_bus::json::to_text(service.clients_resource(ctx.user_id()));
      }),
      {"blender://bus/clients"},
  };
}

mcp::ResourceDefinition make_stats_resource(delivery::BusService& service) {
  return {
      "blender+blender://bus/stats",
      "bus-stats",
      "Counts for your bus: {\"user_id\",\"persistent_count\",\"ephemeral_count\","
      "\"pending_jobs_for_user\",\"dropped_records\",\"pending_records\"}.",
      "application/json",
      sync_reader([&service](mcp::CallContext& ctx) {
        return blender_bus::json::to_text(service.stats_resource(ctx.user_id()));
      }),
      {"blender://bus/stats"},
  };
}

}  // namespace blender_bus::tools
