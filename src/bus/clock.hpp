#pragma once

#include <functional>

namespace blender_bus::bus {

// Wall-clock time as Unix seconds. Injected so that the bus owns no clock and
// tests can pin every timestamp (DESIGN.md: bus/ stays pure). Must be safe to
// call from any thread.
using Clock = std::function<double()>;

}  // namespace blender_bus::bus
