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

// Group commit for the buses' store: callers submit mutations from any thread;
// one writer thread takes everything submitted so far and commits it in one
// transaction, so N concurrent sends cost one commit, not N. A caller that
// needs durability gets a ticket and asks to be told when it is committed;
// nobody blocks while waiting.
//
// When to commit: a transaction costs mostly per commit (locks, WAL frames,
// the wake-up), so nothing commits on every submit.
// - Awaited writes (submit) are committed when asked: an I/O thread calls
//   request_commit() once the requests of its current turn are submitted, so
//   one commit takes them all. Under load (the last commit answered at least
//   kCommitSiblings callers) the next one first waits kCommitDelay to take
//   more, like PostgreSQL's commit_delay; a lone caller is never delayed.
// - Writes nobody waits for (submit_later: cursor moves, sequences) ride
//   along with a later commit once they are kLaterDelay old, or go on their
//   own: committed within about kMaxDelay. A crash may lose only those, and
//   they only ever lag (a delivered cursor behind means a record delivered
//   again after a crash, never one lost).
class GroupCommit {
 public:
  static constexpr std::chrono::milliseconds kMaxDelay{20};
  static constexpr std::chrono::milliseconds kLaterDelay{10};
  static constexpr std::chrono::microseconds kCommitDelay{500};
  static constexpr std::size_t kCommitSiblings = 4;

  // Told, on the writer thread, how long each commit took (store.apply of
  // one batch), e.g. for a histogram; may be empty.
  using CommitObserver = std::function<void(std::chrono::nanoseconds)>;

  explicit GroupCommit(BusStore& store, CommitObserver on_commit = {});
  ~GroupCommit();  // flushes, then stops the writer
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Queues mutations someone will wait for; returns their ticket (tickets
  // increase). The caller requests the commit.
  std::uint64_t submit(std::vector<BusMutation> mutations);
  // Queues mutations nobody waits for (see above).
  void submit_later(std::vector<BusMutation> mutations);

  // Calls `done(committed)` once the batch holding `ticket` is committed (or
  // failed: false), on the writer thread; at once, on the calling thread, when
  // it already is. After stop(), pending callbacks get false.
  void when_committed(std::uint64_t ticket, std::function<void(bool committed)> done);

  // Has the writer commit what was submitted (the awaited part) now.
  void request_commit();

  // Blocks until everything submitted so far, later writes included, is
  // committed (shutdown, tests).
  void flush();
  // Flushes and stops the writer. Idempotent.
  void stop();

  std::uint64_t commits() const;  // transactions so far (for tests and stats)

 private:
  using Clock = std::chrono::steady_clock;

  void run();
  // Waits (lock held) until there is something to commit now, or stopping.
  void wait_for_work(std::unique_lock<std::mutex>& lock, bool& idle, std::size_t last_waiters);
  bool later_due(Clock::time_point now) const;

  BusStore& store_;
  const CommitObserver on_commit_;
  mutable std::mutex mutex_;
  std::condition_variable work_;
  std::condition_variable idle_;
  std::vector<BusMutation> pending_;  // awaited, in ticket order
  std::vector<BusMutation> later_;    // not awaited
  Clock::time_point later_since_{};   // when later_ stopped being empty
  std::uint64_t submitted_ = 0;       // last ticket handed out
  std::uint64_t committed_ = 0;       // every ticket <= it is settled
  std::uint64_t failed_through_ = 0;  // tickets <= it may have failed (their batch threw)
  std::multimap<std::uint64_t, std::function<void(bool)>> callbacks_;
  std::uint64_t flushes_asked_ = 0;  // flush() calls so far
  std::uint64_t flushes_done_ = 0;   // the flush() calls whose writes are all committed
  std::uint64_t commits_ = 0;
  std::uint64_t changes_ = 0;    // mutations in those commits (logged at stop)
  bool writer_waiting_ = false;  // asleep on work_
  bool writer_idle_ = false;     // asleep without a clock: a submission must wake it
  bool delaying_ = false;        // in kCommitDelay: requests need not wake the writer
  bool requested_ = false;       // a commit was asked for since the last batch was taken
  bool stopping_ = false;        // the writer finishes what is pending, then ends
  bool stopped_ = false;         // the writer has ended
  std::thread writer_;
};

}  // namespace blender_bus::store
