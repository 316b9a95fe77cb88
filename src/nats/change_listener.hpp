#pragma once

#include <functional>
#include <mutex>
#include <utility>

namespace blender_bus::nats {

// The one listener a KV store's mirror tells of its changes (on a nats.c
// delivery thread). It runs under its own lock, so that once set() returns
// the listener before is not running and is never called again. Costs a
// lock per change. Thread-safe.
template <class... Args>
class ChangeListener {
 public:
  void set(std::function<void(Args...)> listener) {
    std::lock_guard lock(mutex_);
    listener_ = std::move(listener);
  }

  void notify(Args... args) {
    std::lock_guard lock(mutex_);
    if (listener_) listener_(args...);
  }

 private:
  std::mutex mutex_;  // held while the listener runs
  std::function<void(Args...)> listener_;
};

}  // namespace blender_bus::nats
