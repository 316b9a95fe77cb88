#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "store/database.hpp"

namespace blender_bus::store {

// Notices commits by other processes to the store (`blender-bus user
// passwd|del` beside a running server): every `every`, on its own thread,
// reads Database::data_version() and calls `on_change` when it moved (and
// once at the start, for what changed before the watch began). A poll
// costs one pragma on the shared connection; `on_change` runs on the watch's
// thread, never an I/O thread. An exception from a poll or from `on_change`
// is logged and the watch goes on.
class ExternalChangeWatch {
 public:
  ExternalChangeWatch(Database& db, std::chrono::milliseconds every,
                      std::function<void()> on_change);
  ~ExternalChangeWatch();  // stops and joins
  ExternalChangeWatch(const ExternalChangeWatch&) = delete;
  ExternalChangeWatch& operator=(const ExternalChangeWatch&) = delete;

 private:
  void run();

  Database& db_;
  const std::chrono::milliseconds every_;
  const std::function<void()> on_change_;
  std::mutex mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once everything above is set
};

}  // namespace blender_bus::store
