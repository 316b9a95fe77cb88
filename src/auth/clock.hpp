#pragma once

#include <chrono>
#include <functional>

namespace blender_bus::auth {

// The wall clock, injected so that token expiry is testable without waiting.
using Clock = std::function<std::chrono::system_clock::time_point()>;

inline Clock system_clock() {
  return [] { return std::chrono::system_clock::now(); };
}

// Whole Unix seconds, as JWT NumericDate claims and the store keep time.
inline std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace blender_bus::auth
