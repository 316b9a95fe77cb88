#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace blender_bus::metrics {

// Counters that many threads add to and a scrape sums. Each thread adds to
// its own shard, cache-line aligned and written by that thread alone, so an
// add is a load and a store to a line no other thread writes: no lock, no
// read-modify-write, no allocation. A thread's first add to a set finds or
// makes its shard under the set's mutex (once per thread); a scrape takes
// that mutex and sums every shard. Counts only grow.
class ThreadShards {
 public:
  explicit ThreadShards(std::size_t slots);
  ThreadShards(const ThreadShards&) = delete;
  ThreadShards& operator=(const ThreadShards&) = delete;
  ~ThreadShards();

  void add(std::size_t slot, std::uint64_t n = 1) {
    Cell& cell = local()[slot / kCellsPerLine].cells[slot % kCellsPerLine];
    cell.store(cell.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }

  // Every slot summed over the threads' shards.
  std::vector<std::uint64_t> sum() const;
  std::size_t slots() const { return slots_; }

 private:
  using Cell = std::atomic<std::uint64_t>;
  // A shard's cells fill whole cache lines, so two threads' shards never
  // share one (a shared line would bounce between their cores on every add).
  static constexpr std::size_t kCacheLine = 64;
  static constexpr std::size_t kCellsPerLine = kCacheLine / sizeof(Cell);
  struct alignas(kCacheLine) Line {
    Cell cells[kCellsPerLine];
  };
  struct Shard {
    std::thread::id owner;
    std::unique_ptr<Line[]> lines;
  };
  // The calling thread's cells. A thread-local cache holds the last few sets
  // the thread used (by id, never by address: a set destroyed and another
  // made at the same address must not be mistaken for it), so a call that
  // adds to several sets (a send: its tool's timing and the send counters)
  // finds each without a lock; a miss costs attach().
  Line* local() {
    for (const auto& entry : cache_.entries) {
      if (entry.set == id_) return entry.lines;
    }
    return attach();
  }
  Line* attach();
  Cell& cell(const Shard& shard, std::size_t slot) const {
    return shard.lines[slot / kCellsPerLine].cells[slot % kCellsPerLine];
  }

  static constexpr std::size_t kCachedSets = 4;
  struct Cache {
    struct Entry {
      std::uint64_t set = 0;
      Line* lines = nullptr;
    };
    Entry entries[kCachedSets];
    std::size_t next = 0;  // the entry a miss replaces (round robin)
  };
  // Per thread, not shared: which set's cells it used last.
  static thread_local Cache cache_;

  const std::uint64_t id_;
  const std::size_t slots_;
  mutable std::mutex mutex_;  // shards_: a thread's first add, and scrapes
  std::vector<Shard> shards_;
};

}  // namespace blender_bus::metrics
