#include "delivery/embedded/feed_registry.hpp"

#include <vector>

namespace blender_bus::delivery::embedded {

std::string FeedRegistry::key(std::string_view bus, std::string_view client_uuid) {
  // A NUL cannot occur in a bus id: the pair is unambiguous.
  std::string out;
  out.reserve(bus.size() + 1 + client_uuid.size());
  out.append(bus).push_back('\0');
  out.append(client_uuid);
  return out;
}

void FeedRegistry::add(std::string_view bus, std::string_view client_uuid,
                       std::shared_ptr<Listener> listener) {
  std::lock_guard lock(mutex_);
  feeds_.emplace(key(bus, client_uuid), std::move(listener));
  count_.fetch_add(1, std::memory_order_relaxed);
}

void FeedRegistry::remove(std::string_view bus, std::string_view client_uuid,
                          const Listener& listener) {
  std::lock_guard lock(mutex_);
  auto [first, last] = feeds_.equal_range(key(bus, client_uuid));
  for (auto it = first; it != last; ++it) {
    if (it->second.get() == &listener) {
      feeds_.erase(it);
      count_.fetch_sub(1, std::memory_order_relaxed);
      return;
    }
  }
}

template <class It>
void FeedRegistry::call(It first, It last, std::unique_lock<std::mutex>& lock) {
  std::vector<std::shared_ptr<Listener>> listeners;
  for (auto it = first; it != last; ++it) listeners.push_back(it->second);
  lock.unlock();
  for (const auto& l : listeners) {
    std::lock_guard guard(l->mutex);
    if (l->listener) l->listener->on_records();
  }
}

void FeedRegistry::notify(std::string_view bus, std::string_view client_uuid) {
  if (count_.load(std::memory_order_relaxed) == 0) return;
  std::unique_lock lock(mutex_);
  auto [first, last] = feeds_.equal_range(key(bus, client_uuid));
  call(first, last, lock);
}

void FeedRegistry::notify_bus(std::string_view bus) {
  if (count_.load(std::memory_order_relaxed) == 0) return;
  std::unique_lock lock(mutex_);
  const std::string prefix = key(bus, "");
  auto first = feeds_.lower_bound(prefix);
  auto last = first;
  while (last != feeds_.end() && last->first.starts_with(prefix)) ++last;
  call(first, last, lock);
}

}  // namespace blender_bus::delivery::embedded
