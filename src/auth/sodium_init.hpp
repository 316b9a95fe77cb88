#pragma once

namespace blender_bus::auth {

// Initialises libsodium (idempotent and thread-safe); throws when it cannot,
// e.g. when no source of randomness is available.
void ensure_sodium();

}  // namespace blender_bus::auth
