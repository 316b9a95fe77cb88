#include "delivery/activity_counts.hpp"

#include <mutex>

namespace blender_bus::delivery {

void ActivityCounts::add(Counts& counts, bool send, std::size_t records) {
  if (send) counts.sends.fetch_add(1, std::memory_order_relaxed);
  counts.records.fetch_add(records, std::memory_order_relaxed);
}

// Added to under the lock, so that forget() never frees counts being added to.
void ActivityCounts::count(const BusId& bus, bool send, std::size_t records) {
  {
    std::shared_lock lock(mutex_);
    auto it = buses_.find(bus);
    if (it != buses_.end()) return add(*it->second, send, records);
  }
  std::unique_lock lock(mutex_);
  auto& slot = buses_[bus];
  if (!slot) slot = std::make_unique<Counts>();
  add(*slot, send, records);
}

BusActivity ActivityCounts::read(const BusId& bus) const {
  std::shared_lock lock(mutex_);
  auto it = buses_.find(bus);
  if (it == buses_.end()) return {};
  return {it->second->sends.load(std::memory_order_relaxed),
          it->second->records.load(std::memory_order_relaxed)};
}

void ActivityCounts::forget(const BusId& bus) {
  std::unique_lock lock(mutex_);
  buses_.erase(bus);
}

}  // namespace blender_bus::delivery
