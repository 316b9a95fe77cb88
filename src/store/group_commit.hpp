#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "store/bus_rows.hpp"
#include "store/bus_store.hpp"

namespace blender_bus::store {

// Group commit for the buses' store: callers submit mutations from any thread
// and get a ticket; one writer thread takes everything submitted so far and
// commits it in one transaction, so N concurrent sends cost one commit, not
// N. A caller that needs durability asks to be told when its ticket is
// committed; nobody blocks while waiting.
class GroupCommit {
 public:
  explicit GroupCommit(BusStore& store);
  ~GroupCommit();  // flushes, then stops the writer
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Queues mutations; returns their ticket (tickets increase).
  std::uint64_t submit(std::vector<BusMutation> mutations);

  // Calls `done(committed)` once the batch holding `ticket` is committed (or
  // failed: false), on the writer thread; at once, on the calling thread, when
  // it already is. After stop(), pending callbacks get false.
  void when_committed(std::uint64_t ticket, std::function<void(bool committed)> done);

  // Blocks until everything submitted so far is committed (shutdown, tests).
  void flush();
  // Flushes and stops the writer. Idempotent.
  void stop();

  std::uint64_t commits() const;  // transactions so far (for tests and stats)

 private:
  void run();

  BusStore& store_;
  mutable std::mutex mutex_;
  std::condition_variable work_;
  std::condition_variable idle_;
  std::vector<BusMutation> pending_;
  std::uint64_t submitted_ = 0;       // last ticket handed out
  std::uint64_t committed_ = 0;       // every ticket <= it is settled
  std::uint64_t failed_through_ = 0;  // tickets <= it may have failed (their batch threw)
  std::multimap<std::uint64_t, std::function<void(bool)>> callbacks_;
  std::uint64_t commits_ = 0;
  bool writer_waiting_ = false;  // asleep on work_: a submit must wake it
  bool stopping_ = false;        // the writer finishes what is pending, then ends
  bool stopped_ = false;         // the writer has ended
  std::thread writer_;
};

}  // namespace blender_bus::store
