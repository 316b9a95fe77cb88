#include "bus/routing.hpp"

namespace blender_bus::bus {

namespace {
bool present(const std::optional<std::string>& field) {
  return field && !field->empty();
}
}  // namespace

boost::json::object Routing::to_json() const {
  boost::json::object out;
  switch (mode) {
    case RoutingMode::direct:
      out["type"] = "direct";
      out["target_uuid"] = key;
      break;
    case RoutingMode::group:
      out["type"] = "group";
      out["group_id"] = key;
      break;
    case RoutingMode::type_filter:
      out["type"] = "type_filter";
      out["client_type"] = key;
      break;
    case RoutingMode::broadcast:
      out["type"] = "broadcast";
      break;
  }
  return out;
}

std::string Routing::to_spec() const {
  switch (mode) {
    case RoutingMode::direct:
      return "uuid:" + key;
    case RoutingMode::group:
      return "group:" + key;
    case RoutingMode::type_filter:
      return "type:" + key;
    case RoutingMode::broadcast:
      break;
  }
  return "broadcast";
}

Routing resolve_routing(const std::optional<std::string>& target_uuid,
                        const std::optional<std::string>& group_id,
                        const std::optional<std::string>& client_type) {
  if (present(target_uuid)) return {RoutingMode::direct, *target_uuid};
  if (present(group_id)) return {RoutingMode::group, *group_id};
  if (present(client_type)) return {RoutingMode::type_filter, *client_type};
  return {RoutingMode::broadcast, {}};
}

std::string origin_of(const std::optional<std::string>& from_uuid, std::string_view user_id) {
  if (present(from_uuid)) return *from_uuid;
  std::string out = "server:";
  out.append(user_id);
  return out;
}

}  // namespace blender_bus::bus
