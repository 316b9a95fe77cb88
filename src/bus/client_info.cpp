#include "bus/client_info.hpp"

#include <boost/json/array.hpp>

namespace blender_bus::bus {

boost::json::object ClientInfo::to_json() const {
  boost::json::array caps;
  caps.reserve(capabilities.size());
  for (const auto& cap : capabilities) caps.emplace_back(cap);

  // boost::json::object keeps insertion order, which is the wire order.
  boost::json::object out;
  out.reserve(13);
  out["uuid"] = uuid;
  out["client_type"] = client_type;
  out["is_persistent"] = is_persistent;
  out["capabilities"] = std::move(caps);
  if (group_id) {
    out["group_id"] = *group_id;
  } else {
    out["group_id"] = nullptr;
  }
  out["connected_at"] = connected_at;
  out["last_seen"] = last_seen;
  if (label) {
    out["label"] = *label;
  } else {
    out["label"] = nullptr;
  }
  out["online"] = online;
  out["last_seen_seconds_ago"] = last_seen_seconds_ago;
  out["stale"] = stale;
  out["pending_records"] = pending_records;
  out["dropped_records"] = dropped_records;
  return out;
}

}  // namespace blender_bus::bus
