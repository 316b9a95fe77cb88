#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace blender_bus::transport {

// Lets one log line through per interval for an event that may repeat
// thousands of times a second (refused connections, failing accepts): the
// first occurrence is logged at once, later ones are counted and reported
// with the next line let through. Not thread-safe: one per thread.
class LogThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LogThrottle(Clock::duration interval) : interval_(interval) {}

  // Records one occurrence. When a line may be logged now, returns how many
  // occurrences went unlogged since the last line; otherwise nullopt.
  std::optional<std::uint64_t> occurred(Clock::time_point now = Clock::now()) {
    if (logged_once_ && now - last_logged_ < interval_) {
      ++unlogged_;
      return std::nullopt;
    }
    logged_once_ = true;
    last_logged_ = now;
    const std::uint64_t unlogged = unlogged_;
    unlogged_ = 0;
    return unlogged;
  }

 private:
  Clock::duration interval_;
  Clock::time_point last_logged_{};
  bool logged_once_ = false;
  std::uint64_t unlogged_ = 0;
};

}  // namespace blender_bus::transport
