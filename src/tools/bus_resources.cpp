// blender://bus/clients and blender://bus/stats (SPEC §10).
#include <boost/json/serialize.hpp>

#include "tools/bus_tools.hpp"
#include "tools/sync_handlers.hpp"

namespace blender_bus::tools {

mcp::ResourceDefinition make_clients_resource(DeliveryHub& hub) {
  return {
      "blender://bus/clients",
      "bus-clients",
      "The clients on your bus: {\"user_id\",\"persistent\":[…],\"ephemeral\":[…]}.",
      "application/json",
      sync_reader([&hub](mcp::CallContext& ctx) {
        return boost::json::serialize(
            hub.buses().bus(ctx.user_id())->clients_resource(hub.presence()));
      }),
  };
}

mcp::ResourceDefinition make_stats_resource(bus::BusManager& buses) {
  return {
      "blender://bus/stats",
      "bus-stats",
      "Counts for your bus: {\"user_id\",\"persistent_count\",\"ephemeral_count\","
      "\"pending_jobs_for_user\",\"dropped_records\",\"pending_records\"}.",
      "application/json",
      sync_reader([&buses](mcp::CallContext& ctx) {
        return boost::json::serialize(buses.bus(ctx.user_id())->stats_resource());
      }),
  };
}

}  // namespace blender_bus::tools
