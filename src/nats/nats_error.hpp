#pragma once

#include <nats/nats.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace blender_bus::nats {

// A failed nats.c call: its status, the JetStream error code when the server
// answered with one (0 otherwise), and a text naming what was attempted plus
// nats.c's own message (taken from its per-thread error stack when thrown).
class NatsError : public std::runtime_error {
 public:
  NatsError(natsStatus status, int js_code, const std::string& message)
      : std::runtime_error(message), status_(status), js_code_(js_code) {}

  natsStatus status() const noexcept { return status_; }
  int js_code() const noexcept { return js_code_; }

 private:
  natsStatus status_;
  int js_code_;
};

// The error for a failed call: "<what>: <status text> (jerr N): <nats.c's
// last error>". Reads and clears the calling thread's nats.c error stack, so
// build it on the thread that made the call.
NatsError make_error(natsStatus status, std::string_view what, int js_code = 0);

// Throws make_error(...) unless `status` is NATS_OK.
inline void check(natsStatus status, std::string_view what, int js_code = 0) {
  if (status != NATS_OK) throw make_error(status, what, js_code);
}

// Forgets the calling thread's nats.c error stack (after an expected failure
// that is handled as a value, so that it does not leak into a later message).
void clear_last_error();

}  // namespace blender_bus::nats
