#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "bus/priority.hpp"

namespace blender_bus::delivery::embedded {

// One record the bus put in a client's inbox: the tools layer wakes whoever
// waits for it (the session's stream, a long-poll) and persists it when the
// client is persistent.
struct Delivery {
  std::string target_uuid;
  std::string session_id;                     // the target's MCP session; may be empty or ended
  bus::Priority level = bus::Priority::info;  // for the session's logging/setLevel threshold
  std::shared_ptr<const std::string> text;    // the serialized notifications/message (SPEC §7)
  std::uint64_t seq = 0;                      // user-level sequence number: the SSE event id
  bool persistent = false;                    // the target survives a restart, so must its record
  double timestamp = 0;
  // When the append evicted older records: the oldest seq left (0: none evicted).
  std::uint64_t retained_from = 0;
};

}  // namespace blender_bus::delivery::embedded
