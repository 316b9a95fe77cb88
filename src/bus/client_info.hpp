#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
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
  double connected_at = 0;           // Unix seconds, first registration
  double last_seen = 0;              // Unix seconds, bumped by re-registration
  std::optional<std::string> label;  // the newer add-on's name for the machine
  // The MCP session that receives this client's records; opaque to the bus and
  // never on the wire. Empty when unbound (e.g. its session ended).
  std::string session_id;

  // Beyond the original (SPEC §9), computed when the client is listed.
  bool online = false;                // its session holds a stream (or never opened one)
  double last_seen_seconds_ago = 0;   // from the latest activity of the client or its session
  bool stale = false;                 // persistent, offline, silent past the stale period
  std::size_t pending_records = 0;    // in its inbox, not yet delivered
  std::uint64_t dropped_records = 0;  // evicted from its inbox undelivered

  // The wire shape, keys in SPEC order:
  // {"uuid","client_type","is_persistent","capabilities","group_id","connected_at","last_seen"},
  // then the newer add-on's "label" (null when none), then the beyond fields
  // "online","last_seen_seconds_ago","stale","pending_records","dropped_records".
  boost::json::object to_json() const;
};

}  // namespace blender_bus::bus
