#include "bus/displaced_notice.hpp"

#include <boost/json.hpp>

#include "bus/forwarded_record.hpp"
#include "bus/routing.hpp"
#include "bus/shared_bus_id.hpp"
#include "json/serializer.hpp"

namespace blender_bus::bus {

std::string displaced_notice(std::string_view bus, std::string_view user,
                             std::string_view client_uuid, std::string_view message_id,
                             double now) {
  boost::json::object payload;
  payload["kind"] = "client_displaced";
  payload["client_uuid"] = client_uuid;
  payload["reason"] = "registered from another session";
  const std::string payload_json = blender_bus::json::to_text(payload);
  const std::string origin = origin_of(std::nullopt, user);
  const Routing routing{RoutingMode::direct, std::string(client_uuid)};
  const boost::json::object routing_json = routing.to_json();
  const std::string_view bus_id = is_shared_bus(bus) ? wire_bus_id(bus) : std::string_view{};
  const ForwardedRecord record(RecordFields{user, origin, routing_json, payload_json, message_id,
                                            message_id, Priority::warning, now, bus_id});
  return record.for_target(client_uuid);
}

}  // namespace blender_bus::bus
