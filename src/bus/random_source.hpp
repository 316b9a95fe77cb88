#pragma once

#include <functional>
#include <span>

namespace blender_bus::bus {

// Fills the span with random bytes. The composition root passes one backed by
// libsodium's randombytes_buf; tests pass a deterministic one. Must be safe to
// call from any thread.
using RandomSource = std::function<void(std::span<unsigned char>)>;

}  // namespace blender_bus::bus
