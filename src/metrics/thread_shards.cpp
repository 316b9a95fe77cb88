#include "metrics/thread_shards.hpp"

namespace blender_bus::metrics {

namespace {

// Set ids are never reused, so a thread's cache cannot point into a set that
// is gone. Zero means "none".
std::uint64_t next_set_id() {
  static std::atomic<std::uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;
}

}  // namespace

thread_local ThreadShards::Cache ThreadShards::cache_{};

ThreadShards::ThreadShards(std::size_t slots) : id_(next_set_id()), slots_(slots) {}

ThreadShards::~ThreadShards() = default;

ThreadShards::Line* ThreadShards::attach() {
  const auto self = std::this_thread::get_id();
  std::lock_guard lock(mutex_);
  Line* lines = nullptr;
  // A thread that used another set meanwhile comes back to its own shard.
  for (auto& shard : shards_) {
    if (shard.owner == self) lines = shard.lines.get();
  }
  if (!lines) {
    // Value-initialised: every cell starts at zero.
    shards_.push_back(
        Shard{self, std::make_unique<Line[]>((slots_ + kCellsPerLine - 1) / kCellsPerLine)});
    lines = shards_.back().lines.get();
  }
  cache_.entries[cache_.next] = Cache::Entry{id_, lines};
  cache_.next = (cache_.next + 1) % kCachedSets;
  return lines;
}

std::vector<std::uint64_t> ThreadShards::sum() const {
  std::vector<std::uint64_t> total(slots_, 0);
  std::lock_guard lock(mutex_);
  for (const auto& shard : shards_) {
    for (std::size_t i = 0; i < slots_; ++i)
      total[i] += cell(shard, i).load(std::memory_order_relaxed);
  }
  return total;
}

}  // namespace blender_bus::metrics
