#pragma once

#include <atomic>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "delivery/feed.hpp"

namespace blender_bus::delivery::embedded {

// The open feeds of the embedded record log, by bus and client, so that an
// append calls their listeners inline. With no feed open anywhere (the
// common case) a notify costs one atomic load. Thread-safe.
class FeedRegistry {
 public:
  // One feed's listener; cleared (under its own lock) before the feed is
  // gone, so no call runs after its destructor returns. Recursive: a
  // listener may destroy its own feed.
  struct Listener {
    std::recursive_mutex mutex;
    FeedListener* listener = nullptr;
  };

  void add(std::string_view bus, std::string_view client_uuid, std::shared_ptr<Listener> listener);
  void remove(std::string_view bus, std::string_view client_uuid, const Listener& listener);
  // Calls the listeners of the client's feeds (no registry lock held).
  void notify(std::string_view bus, std::string_view client_uuid);
  // Every feed of the bus (the bus was purged).
  void notify_bus(std::string_view bus);

 private:
  static std::string key(std::string_view bus, std::string_view client_uuid);
  template <class It>
  void call(It first, It last, std::unique_lock<std::mutex>& lock);

  std::mutex mutex_;
  std::atomic<std::size_t> count_{0};
  std::multimap<std::string, std::shared_ptr<Listener>, std::less<>> feeds_;
};

}  // namespace blender_bus::delivery::embedded
