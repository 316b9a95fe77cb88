#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace blender_bus::bus {

enum class RoutingMode { direct, group, type_filter, broadcast };

// How one send picks its recipients (SPEC §5).
struct Routing {
  RoutingMode mode = RoutingMode::broadcast;
  std::string key;  // the target uuid, group id or client type; empty for broadcast

  // {"type":"direct","target_uuid"}, {"type":"group","group_id"},
  // {"type":"type_filter","client_type"} or {"type":"broadcast"}.
  boost::json::object to_json() const;
  // As a target spec: "uuid:X", "group:X", "type:X" or "broadcast".
  std::string to_spec() const;
};

// First match wins: target_uuid > group_id > client_type > broadcast. An empty
// string counts as absent, as the original's truthiness test did.
Routing resolve_routing(const std::optional<std::string>& target_uuid,
                        const std::optional<std::string>& group_id,
                        const std::optional<std::string>& client_type);

// The sender a record names and a broadcast skips: from_uuid when given (and
// not empty), else "server:<user_id>".
std::string origin_of(const std::optional<std::string>& from_uuid, std::string_view user_id);

}  // namespace blender_bus::bus
