#pragma once

#include <functional>
#include <optional>
#include <string_view>

namespace blender_bus::delivery::embedded {

// What the transport knows about a live session, for ClientInfo's liveness
// fields. The bus owns no sessions; the tools layer answers this.
struct SessionPresence {
  bool online = false;       // holds an open stream, or never opened one
  double last_activity = 0;  // Unix seconds of its latest request or stream write
};

// nullopt: the session has ended (or never existed).
using PresenceLookup = std::function<std::optional<SessionPresence>(std::string_view session_id)>;

}  // namespace blender_bus::delivery::embedded
