#pragma once

#include <nats/nats.h>

#include <string>
#include <string_view>

namespace blender_bus::nats {

// What a Connection is doing, for /health and metrics.
enum class ConnectionState {
  connecting,  // not connected yet (retrying the first connect)
  connected,
  reconnecting,  // lost its server; publishes are buffered meanwhile
  closed,        // for good
};

std::string_view to_string(ConnectionState state);

// Something that happened to a Connection, reported to its listeners on
// nats.c's event thread.
struct ConnectionEvent {
  enum class Kind {
    connected,     // the first connect succeeded after retrying
    disconnected,  // lost the server (reconnecting follows unless closing)
    reconnected,   // connected again, possibly to another server; core
                   // messages sent meanwhile may have been missed
    closed,
    error,  // an asynchronous error: a slow consumer dropped messages of
            // `subscription`, a permissions error, a missed heartbeat...
  };
  Kind kind;
  natsStatus status = NATS_OK;               // for `error`
  natsSubscription* subscription = nullptr;  // for `error`, when it is about one
  std::string url;                           // the server connected to, if any
  std::string text;                          // nats.c's last error, if any
};

std::string_view to_string(ConnectionEvent::Kind kind);

}  // namespace blender_bus::nats
