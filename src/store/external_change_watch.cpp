#include "store/external_change_watch.hpp"

#include <spdlog/spdlog.h>

namespace blender_bus::store {

ExternalChangeWatch::ExternalChangeWatch(Database& db, std::chrono::milliseconds every,
                                         std::function<void()> on_change)
    : db_(db), every_(every), on_change_(std::move(on_change)), thread_([this] { run(); }) {}

ExternalChangeWatch::~ExternalChangeWatch() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  thread_.join();
}

void ExternalChangeWatch::run() {
  std::int64_t seen = 0;
  bool first = true;
  std::unique_lock lock(mutex_);
  while (!stop_.wait_for(lock, first ? std::chrono::milliseconds(0) : every_,
                         [this] { return stopping_; })) {
    lock.unlock();
    try {
      // The first poll calls too: it covers what changed before the watch
      // began. `seen` moves only once on_change succeeded, so a failed one is
      // tried again on the next poll.
      const std::int64_t version = db_.data_version();
      if (first || version != seen) on_change_();
      seen = version;
      first = false;
    } catch (const std::exception& e) {
      spdlog::error("store: watching for other writers failed: {}", e.what());
    }
    lock.lock();
  }
}

}  // namespace blender_bus::store
