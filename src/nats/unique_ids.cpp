#include "nats/unique_ids.hpp"

#include <cstdio>
#include <random>

namespace blender_bus::nats {

UniqueIds::UniqueIds() {
  std::random_device device;
  std::uint64_t value = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  prefix_ = text;
}

std::string UniqueIds::next() {
  return prefix_ + '-' + std::to_string(counter_.fetch_add(1, std::memory_order_relaxed));
}

}  // namespace blender_bus::nats
