#include "nats/transient.hpp"

namespace blender_bus::nats {

bool is_transient(natsStatus status, int js_code) {
  switch (status) {
    case NATS_TIMEOUT:
    case NATS_NO_RESPONDERS:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_NOT_YET_CONNECTED:
    case NATS_INSUFFICIENT_BUFFER:
    // A write to the socket failed (EPIPE as the server it spoke to died):
    // the connection reconnects and a retry goes to another server.
    case NATS_IO_ERROR:
      return true;
    default:
      break;
  }
  // "JetStream system temporarily unavailable": no meta leader yet.
  return js_code == JSClusterNotAvailErr;
}

}  // namespace blender_bus::nats
