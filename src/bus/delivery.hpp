#pragma once

#include <string>

#include "bus/priority.hpp"

namespace blender_bus::bus {

// One record the caller must push: the bus decides, the tools layer delivers.
struct Delivery {
  std::string target_uuid;
  std::string session_id;           // the target's MCP session; may be empty or ended
  Priority level = Priority::info;  // for the session's logging/setLevel threshold
  std::string text;                 // the complete serialized notifications/message (SPEC §7)
};

}  // namespace blender_bus::bus
