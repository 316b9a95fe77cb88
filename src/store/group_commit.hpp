#pragma once

#include <chrono>
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
//
// When to commit: a transaction costs mostly per commit (locks, WAL frames,
// wake-ups), so the writer does not commit on every submit. It commits when
// asked (request_commit: an I/O thread does that once the requests of its
// current turn are all submitted, so one commit takes them all) and, for
// writes nobody waits for, at the latest kMaxDelay after they were submitted.
class GroupCommit {
 public:
  static constexpr std::chrono::milliseconds kMaxDelay{20};
  // Group commit under load (PostgreSQL's commit_delay and commit_siblings):
  // after a commit that answered at least kCommitSiblings callers, the next
  // one waits kCommitDelay to take more.
  static constexpr std::chrono::microseconds kCommitDelay{500};
  static constexpr std::size_t kCommitSiblings = 4;

  explicit GroupCommit(BusStore& store);
  ~GroupCommit();  // flushes, then stops the writer
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Who sees to the commit of a submission: its caller, by request_commit()
  // (it is about to wait for the ticket), or the writer's kMaxDelay clock.
  enum class Commit { on_request, within_max_delay };

  // Queues mutations; returns their ticket (tickets increase).
  std::uint64_t submit(std::vector<BusMutation> mutations,
                       Commit commit = Commit::within_max_delay);

  // Calls `done(committed)` once the batch holding `ticket` is committed (or
  // failed: false), on the writer thread; at once, on the calling thread, when
  // it already is. After stop(), pending callbacks get false.
  void when_committed(std::uint64_t ticket, std::function<void(bool committed)> done);

  // Asks the writer to commit what is pending now rather than after kMaxDelay.
  void request_commit();

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
  std::uint64_t changes_ = 0;    // mutations in those commits (logged at stop)
  bool writer_waiting_ = false;  // asleep on work_
  bool requested_ = false;
  bool delaying_ = false;     // in kCommitDelay: requests need not wake the writer
  bool writer_idle_ = false;  // asleep until a submission: nothing happened for kMaxDelay
                              // for since the writer last took a batch
  bool stopping_ = false;     // the writer finishes what is pending, then ends
  bool stopped_ = false;      // the writer has ended
  std::thread writer_;
};

}  // namespace blender_bus::store
