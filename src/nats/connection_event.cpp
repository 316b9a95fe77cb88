#include "nats/connection_event.hpp"

namespace blender_bus::nats {

std::string_view to_string(ConnectionState state) {
  switch (state) {
    case ConnectionState::connecting:
      return "connecting";
    case ConnectionState::connected:
      return "connected";
    case ConnectionState::reconnecting:
      return "reconnecting";
    case ConnectionState::closed:
      return "closed";
  }
  return "unknown";
}

std::string_view to_string(ConnectionEvent::Kind kind) {
  switch (kind) {
    case ConnectionEvent::Kind::connected:
      return "connected";
    case ConnectionEvent::Kind::disconnected:
      return "disconnected";
    case ConnectionEvent::Kind::reconnected:
      return "reconnected";
    case ConnectionEvent::Kind::closed:
      return "closed";
    case ConnectionEvent::Kind::error:
      return "error";
  }
  return "unknown";
}

}  // namespace blender_bus::nats
