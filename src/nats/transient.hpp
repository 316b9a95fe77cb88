#pragma once

#include <nats/nats.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#include "nats/nats_error.hpp"

namespace blender_bus::nats {

// Whether a failure is one that the same request may cure when repeated a
// little later: no answer in time (a lost ack, a leader that died), no
// responders (no stream leader while RAFT elects one: 4-9 s in 2.9), the
// connection lost or not made yet, a failed socket write (the server died
// under it), the reconnect buffer full, or JetStream
// "temporarily unavailable" (no meta leader yet).
bool is_transient(natsStatus status, int js_code);

inline bool is_transient(const NatsError& error) {
  return is_transient(error.status(), error.js_code());
}

// Calls `fn()` until it returns without a transient NatsError, sleeping
// between attempts (from `first` doubling up to `longest`); past `deadline`
// the last error is rethrown. Blocks the calling thread: use it on a
// BlockingPool thread, never on an io_context thread.
template <class F>
auto retry_transient(std::chrono::steady_clock::time_point deadline, F&& fn,
                     std::chrono::milliseconds first = std::chrono::milliseconds(20),
                     std::chrono::milliseconds longest = std::chrono::milliseconds(250)) {
  auto pause = first;
  for (;;) {
    try {
      return fn();
    } catch (const NatsError& error) {
      if (!is_transient(error) || std::chrono::steady_clock::now() + pause >= deadline) throw;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, longest);
  }
}

}  // namespace blender_bus::nats
