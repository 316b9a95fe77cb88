#include "nats/nats_error.hpp"

// Exported by libnats 3.4 but not declared in nats.h.
extern "C" void nats_clearLastError(void);

namespace blender_bus::nats {

NatsError make_error(natsStatus status, std::string_view what, int js_code) {
  std::string message(what);
  message += ": ";
  message += natsStatus_GetText(status);
  if (js_code != 0) message += " (jerr " + std::to_string(js_code) + ")";
  natsStatus last = NATS_OK;
  const char* detail = nats_GetLastError(&last);
  if (detail != nullptr && *detail != '\0') {
    message += ": ";
    message += detail;
  }
  clear_last_error();
  return NatsError(status, js_code, message);
}

void clear_last_error() {
  nats_clearLastError();
}

}  // namespace blender_bus::nats
