#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace blender_bus::auth_kv {

// How far a store's KV mirror has got, so that a write can return once this
// node's mirror shows it: the next read here then sees what was just
// written. Thread-safe.
class MirrorProgress {
 public:
  // The mirror applied a change of `revision` (from its on_change).
  void applied(std::uint64_t revision) {
    {
      std::lock_guard lock(mutex_);
      applied_ = std::max(applied_, revision);
    }
    changed_.notify_all();
  }

  // Waits until the mirror has applied `revision`, at most 2 s (a mirror
  // behind that long is a NATS in trouble; the write stands either way).
  void await(std::uint64_t revision) const {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(2), [&] { return applied_ >= revision; });
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::uint64_t applied_ = 0;
};

}  // namespace blender_bus::auth_kv
