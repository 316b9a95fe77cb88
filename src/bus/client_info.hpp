#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

namespace blender_bus::bus {

// One registered client on a user's bus (SPEC §4).
struct ClientInfo {
  std::string uuid;            // sticky id chosen by the client; the lookup key
  std::string client_type;     // "blender", "llm" or any string
  bool is_persistent = false;  // the bucket; fixed at first registration
  std::vector<std::string> capabilities;
  std::optional<std::string> group_id;
  double connected_at = 0;  // Unix seconds, first registration
  double last_seen = 0;     // Unix seconds, bumped by re-registration
  // The MCP session that receives this client's records; opaque to the bus and
  // never on the wire. Empty when unbound (e.g. its session ended).
  std::string session_id;

  // The wire shape, keys in SPEC order:
  // {"uuid","client_type","is_persistent","capabilities","group_id","connected_at","last_seen"}.
  boost::json::object to_json() const;
};

}  // namespace blender_bus::bus
