#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace blender_bus::delivery {

// Long-polls waiting for something on a bus (a client's inbox, a job's state),
// by key. A bus change wakes the key's waiters; a waiter registers before it
// checks its condition, so no change is missed between the two. Thread-safe.
class Waiters {
 public:
  using Wake = std::function<void()>;

  static std::string client_key(std::string_view user_id, std::string_view client_uuid);
  static std::string job_key(std::string_view user_id, std::string_view job_id);

  std::uint64_t add(std::string key, Wake wake);
  void remove(const std::string& key, std::uint64_t id);
  // Calls every waiter of `key` (outside the lock).
  void wake(const std::string& key);
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  // Read without the lock by wake(): with no long-poll anywhere (the common
  // case) a delivery costs no key string and no lock.
  std::atomic<std::size_t> count_{0};
  std::multimap<std::string, std::pair<std::uint64_t, Wake>, std::less<>> waiting_;
  std::uint64_t next_id_ = 1;
};

}  // namespace blender_bus::delivery
