#include "auth/sodium_init.hpp"

#include <sodium.h>

#include <stdexcept>

namespace blender_bus::auth {

void ensure_sodium() {
  // 0: initialised now, 1: already initialised, -1: failure.
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

}  // namespace blender_bus::auth
