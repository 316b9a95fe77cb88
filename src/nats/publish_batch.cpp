#include "nats/publish_batch.hpp"

namespace blender_bus::nats {

PublishBatch::PublishBatch(std::size_t size) : size_(size), results_(size), remaining_(size) {
  if (size == 0) done_.set({});
}

void PublishBatch::complete(std::size_t index, PublishResult result) {
  std::vector<PublishResult> all;
  {
    std::lock_guard lock(mutex_);
    results_[index] = std::move(result);
    if (--remaining_ != 0) return;
    all = std::move(results_);
  }
  done_.set(std::move(all));
}

}  // namespace blender_bus::nats
