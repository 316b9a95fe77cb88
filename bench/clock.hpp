#pragma once

#include <chrono>
#include <cstdint>

namespace blender_bus::bench {

// Nanoseconds on the steady clock. Sender and receivers live in this one
// process, so a send time carried in a payload compares directly with an
// arrival time.
inline std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline double seconds_between(std::int64_t from_ns, std::int64_t to_ns) {
  return static_cast<double>(to_ns - from_ns) / 1e9;
}

}  // namespace blender_bus::bench
