#include "delivery/embedded/bus_manager.hpp"

#include <vector>

#include "bus/uuid_v4.hpp"

namespace blender_bus::delivery::embedded {

BusManager::BusManager(bus::Clock clock, bus::RandomSource random, bus::Limits limits,
                       DeliveryPolicy policy)
    : clock_(std::move(clock)), random_(std::move(random)), limits_(limits), policy_(policy) {}

std::shared_ptr<UserMessageBus> BusManager::bus(std::string_view user_id) {
  std::lock_guard lock(mutex_);
  auto it = buses_.find(user_id);
  if (it == buses_.end()) {
    it = buses_
             .emplace(std::string(user_id),
                      std::make_shared<UserMessageBus>(std::string(user_id), clock_, random_,
                                                       limits_, policy_))
             .first;
  }
  return it->second;
}

std::shared_ptr<UserMessageBus> BusManager::find(std::string_view user_id) const {
  std::lock_guard lock(mutex_);
  auto it = buses_.find(user_id);
  return it == buses_.end() ? nullptr : it->second;
}

bool BusManager::remove(std::string_view user_id) {
  std::shared_ptr<UserMessageBus> removed;  // released outside the lock
  std::lock_guard lock(mutex_);
  auto it = buses_.find(user_id);
  if (it == buses_.end()) return false;
  removed = std::move(it->second);
  buses_.erase(it);
  // A bus lock under the manager's: rare (a user deleted), and read with the
  // erase so that a scrape never sees the bus in neither place.
  removed_dropped_records_ += removed->stats().dropped_records;
  return true;
}

std::vector<std::string> BusManager::on_session_end(std::string_view user_id,
                                                    std::string_view session_id) {
  auto user_bus = find(user_id);
  if (!user_bus) return {};
  return user_bus->on_session_end(session_id);
}

BusManager::Buses BusManager::all() const {
  Buses out;
  std::lock_guard lock(mutex_);
  out.buses.reserve(buses_.size());
  for (const auto& [user, b] : buses_) out.buses.push_back(b);
  out.removed_dropped_records = removed_dropped_records_;
  return out;
}

std::size_t BusManager::bus_count() const {
  std::lock_guard lock(mutex_);
  return buses_.size();
}

std::size_t BusManager::client_count() const {
  // Copy the handles out so no bus lock is taken under the manager's lock.
  std::vector<std::shared_ptr<UserMessageBus>> all;
  {
    std::lock_guard lock(mutex_);
    all.reserve(buses_.size());
    for (const auto& [user, b] : buses_) all.push_back(b);
  }
  std::size_t total = 0;
  for (const auto& b : all) total += b->client_count();
  return total;
}

std::string BusManager::new_id() const {
  return bus::make_uuid_v4(random_);
}

}  // namespace blender_bus::delivery::embedded
