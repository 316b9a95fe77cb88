#include "bus/client_info.hpp"

#include <boost/json/array.hpp>

namespace blender_bus::bus {

boost::json::object ClientInfo::to_json() const {
  boost::json::array caps;
  caps.reserve(capabilities.size());
  for (const auto& cap : capabilities) caps.emplace_back(cap);

  // boost::json::object keeps insertion order, which is the wire order.
  boost::json::object out;
  out.reserve(7);
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
  return out;
}

}  // namespace blender_bus::bus
