#include "delivery/waiters.hpp"

#include <vector>

namespace blender_bus::delivery {

std::string Waiters::client_key(std::string_view user_id, std::string_view client_uuid) {
  std::string key("c:");
  key.append(user_id).push_back('\0');
  key.append(client_uuid);
  return key;
}

std::string Waiters::job_key(std::string_view user_id, std::string_view job_id) {
  std::string key("j:");
  key.append(user_id).push_back('\0');
  key.append(job_id);
  return key;
}

std::uint64_t Waiters::add(std::string key, Wake wake) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = next_id_++;
  waiting_.emplace(std::move(key), std::pair{id, std::move(wake)});
  count_.store(waiting_.size());
  return id;
}

void Waiters::remove(const std::string& key, std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto [first, last] = waiting_.equal_range(key);
  for (auto it = first; it != last; ++it) {
    if (it->second.first == id) {
      waiting_.erase(it);
      count_.store(waiting_.size());
      return;
    }
  }
}

void Waiters::wake(const std::string& key) {
  std::vector<Wake> to_wake;
  {
    std::lock_guard lock(mutex_);
    auto [first, last] = waiting_.equal_range(key);
    for (auto it = first; it != last; ++it) to_wake.push_back(it->second.second);
  }
  for (auto& w : to_wake) w();
}

std::size_t Waiters::size() const {
  return count_.load();
}

}  // namespace blender_bus::delivery
