// The bus resources (SPEC §10). The original registers them through FastMCP's
// register_all(prefix="blender"), which prefixes resource URIs with
// "blender+": its clients read blender+blender://bus/clients. That spelling
// is the listed one; the plain blender://bus/… is served as an alias. Each
// also reads a shared bus as <uri>?bus_id=<id> (a template per spelling).
#include "json/serializer.hpp"
#include "tools/bus_access.hpp"
#include "tools/bus_tools.hpp"
#include "tools/sync_handlers.hpp"

namespace blender_bus::tools {

namespace {

using View = boost::json::object (delivery::BusService::*)(const delivery::BusId&);

// The resource's text on the bus `bus_id` names, through the one check.
std::string read_view(delivery::BusService& service, const BusAccess& access, View view,
                      mcp::CallContext& ctx, const std::optional<std::string>& bus_id) {
  auto checked = access.check(ctx.user_id(), bus_id, sharing::BusAction::list_clients);
  if (auto* refusal = std::get_if<BusRefusal>(&checked))
    return blender_bus::json::to_text(*refusal);
  const BusGrant& grant = std::get<BusGrant>(checked);
  boost::json::object out = (service.*view)(grant.bus);
  shown_on(grant, ctx.user_id(), out);
  return blender_bus::json::to_text(out);
}

std::vector<mcp::ResourceTemplateDefinition> on_shared_buses(delivery::BusService& service,
                                                             const BusAccess& access, View view,
                                                             std::string_view uri,
                                                             std::string_view name) {
  std::vector<mcp::ResourceTemplateDefinition> out;
  for (std::string spelling :
       {std::string(uri), std::string(uri.substr(std::string_view("blender+").size()))}) {
    std::string prefix = spelling + "?bus_id=";
    out.push_back({
        prefix + "{bus_id}",
        prefix,
        std::string(name) + "-shared",
        "The same on a shared bus you are a member of.",
        "application/json",
        [&service, &access, view](mcp::CallContext& ctx,
                                  std::string_view bus_id) -> boost::asio::awaitable<std::string> {
          co_return read_view(service, access, view, ctx, std::string(bus_id));
        },
    });
  }
  return out;
}

}  // namespace

mcp::ResourceDefinition make_clients_resource(delivery::BusService& service,
                                              const BusAccess& access) {
  return {
      "blender+blender://bus/clients",
      "bus-clients",
      "The clients on your bus: {\"user_id\",\"persistent\":[…],\"ephemeral\":[…]}.",
      "application/json",
      sync_reader([&service, &access](mcp::CallContext& ctx) {
        return read_view(service, access, &delivery::BusService::clients_resource, ctx,
                         std::nullopt);
      }),
      {"blender://bus/clients"},
  };
}

mcp::ResourceDefinition make_stats_resource(delivery::BusService& service,
                                            const BusAccess& access) {
  return {
      "blender+blender://bus/stats",
      "bus-stats",
      "Counts for your bus: {\"user_id\",\"persistent_count\",\"ephemeral_count\","
      "\"pending_jobs_for_user\",\"dropped_records\",\"pending_records\"}.",
      "application/json",
      sync_reader([&service, &access](mcp::CallContext& ctx) {
        return read_view(service, access, &delivery::BusService::stats_resource, ctx, std::nullopt);
      }),
      {"blender://bus/stats"},
  };
}

std::vector<mcp::ResourceTemplateDefinition> make_shared_bus_resources(
    delivery::BusService& service, const BusAccess& access) {
  auto out = on_shared_buses(service, access, &delivery::BusService::clients_resource,
                             "blender+blender://bus/clients", "bus-clients");
  for (auto& t : on_shared_buses(service, access, &delivery::BusService::stats_resource,
                                 "blender+blender://bus/stats", "bus-stats")) {
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace blender_bus::tools
