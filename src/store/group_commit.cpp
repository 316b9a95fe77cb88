#include "store/group_commit.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace blender_bus::store {

GroupCommit::GroupCommit(BusStore& store) : store_(store), writer_([this] { run(); }) {}

GroupCommit::~GroupCommit() {
  stop();
}

std::uint64_t GroupCommit::submit(std::vector<BusMutation> mutations, Commit commit) {
  std::uint64_t ticket = 0;
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    ticket = ++submitted_;
    // A writer asleep with nothing pending must start its kMaxDelay clock;
    // one busy or already timing takes this with its next batch.
    // A submission whose caller requests the commit wakes nobody here.
    // Only a writer asleep without a clock needs waking (to start one); a
    // busy one comes back within kMaxDelay anyway, and a request follows a
    // submission that is committed on request.
    wake = commit == Commit::within_max_delay && writer_idle_;
    if (pending_.empty()) {
      pending_ = std::move(mutations);
    } else {
      pending_.insert(pending_.end(), std::make_move_iterator(mutations.begin()),
                      std::make_move_iterator(mutations.end()));
    }
  }
  if (wake) work_.notify_one();
  return ticket;
}

void GroupCommit::request_commit() {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (requested_) return;  // already asked for in this turn: no second wake-up
    requested_ = true;
    wake = writer_waiting_ && !delaying_;
  }
  if (wake) work_.notify_one();
}

void GroupCommit::when_committed(std::uint64_t ticket, std::function<void(bool)> done) {
  bool now = false;
  bool ok = true;
  {
    std::lock_guard lock(mutex_);
    if (ticket <= committed_) {
      now = true;
      ok = ticket > failed_through_;
    } else if (stopped_) {
      now = true;
      ok = false;
    } else {
      callbacks_.emplace(ticket, std::move(done));
    }
  }
  if (now) done(ok);
}

void GroupCommit::flush() {
  request_commit();
  std::unique_lock lock(mutex_);
  const std::uint64_t target = submitted_;
  idle_.wait(lock, [&] { return committed_ >= target || stopped_; });
}

void GroupCommit::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;  // stop() runs once: from the owner, or the destructor
    stopping_ = true;
  }
  work_.notify_one();
  writer_.join();
  std::multimap<std::uint64_t, std::function<void(bool)>> left;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    left.swap(callbacks_);
  }
  idle_.notify_all();
  for (auto& [ticket, done] : left) done(false);
  spdlog::info("bus store: {} change(s) committed in {} transaction(s)", changes_, commits_);
}

std::uint64_t GroupCommit::commits() const {
  std::lock_guard lock(mutex_);
  return commits_;
}

void GroupCommit::run() {
  std::unique_lock lock(mutex_);
  // Busy (it committed within the last kMaxDelay), the writer sleeps at most
  // kMaxDelay, so unrequested writes need no wake-up; idle, it sleeps until a
  // submission wakes it.
  bool idle = true;
  std::size_t last_waiters = 0;  // callers the last commit answered
  for (;;) {
    writer_waiting_ = true;
    if (idle) {
      writer_idle_ = true;
      work_.wait(lock, [&] { return requested_ || !pending_.empty() || stopping_; });
      writer_idle_ = false;
    }
    if (last_waiters >= kCommitSiblings && !stopping_) {
      // Many callers wait on each commit: let the next batch grow for
      // kCommitDelay (their requests wake nobody meanwhile). One transaction
      // then takes several I/O turns, and the wake-up per commit, which on a
      // busy machine costs as much as the commit, is saved. A lone caller
      // is never delayed.
      delaying_ = true;
      work_.wait_for(lock, kCommitDelay, [&] { return stopping_; });
      delaying_ = false;
    }
    if (!requested_ && !stopping_) {
      work_.wait_for(lock, kMaxDelay, [&] { return requested_ || stopping_; });
    }
    writer_waiting_ = false;
    requested_ = false;
    if (pending_.empty()) {
      if (stopping_) break;
      idle = true;
      continue;
    }
    idle = false;
    std::vector<BusMutation> batch;
    batch.swap(pending_);
    const std::uint64_t through = submitted_;
    lock.unlock();

    bool ok = true;
    try {
      store_.apply(batch);
    } catch (const std::exception& e) {
      // Reported to every caller waiting on this batch (their tool answers
      // an error) and logged here with its cause.
      ok = false;
      spdlog::error("bus store: a batch of {} change(s) failed: {}", batch.size(), e.what());
    }

    std::vector<std::function<void(bool)>> ready;
    lock.lock();
    committed_ = through;
    if (!ok) failed_through_ = through;
    if (ok) ++commits_;
    if (ok) changes_ += batch.size();
    auto end = callbacks_.upper_bound(through);
    for (auto it = callbacks_.begin(); it != end; ++it) ready.push_back(std::move(it->second));
    callbacks_.erase(callbacks_.begin(), end);
    lock.unlock();
    last_waiters = ready.size();
    for (auto& done : ready) done(ok);
    idle_.notify_all();
    lock.lock();
  }
  lock.unlock();
  idle_.notify_all();
}

}  // namespace blender_bus::store
