#include "nats/library.hpp"

#include <nats/nats.h>

#include "nats/nats_error.hpp"

namespace blender_bus::nats {

Library::Library() : Library(Options{}) {}

Library::Library(const Options& options) : options_(options) {
  check(nats_Open(-1), "nats_Open");
  natsStatus status = nats_SetMessageDeliveryPoolSize(options_.delivery_threads);
  if (status != NATS_OK) {
    NatsError error = make_error(status, "nats_SetMessageDeliveryPoolSize");
    nats_Close();
    throw error;
  }
}

Library::~Library() {
  // NATS_TIMEOUT only means some thread was slow to end; the memory is still
  // released, and nothing else can be done in a destructor.
  nats_CloseAndWait(options_.close_timeout.count());
}

}  // namespace blender_bus::nats
