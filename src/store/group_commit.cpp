#include "store/group_commit.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace blender_bus::store {

namespace {

void append(std::vector<BusMutation>& to, std::vector<BusMutation>&& from) {
  if (to.empty()) {
    to = std::move(from);
  } else {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  }
}

}  // namespace

GroupCommit::GroupCommit(BusStore& store, CommitObserver on_commit)
    : store_(store), on_commit_(std::move(on_commit)), writer_([this] { run(); }) {}

GroupCommit::~GroupCommit() {
  stop();
}

std::uint64_t GroupCommit::submit(std::vector<BusMutation> mutations) {
  // No wake-up: the caller's request_commit() follows.
  std::lock_guard lock(mutex_);
  append(pending_, std::move(mutations));
  return ++submitted_;
}

void GroupCommit::submit_later(std::vector<BusMutation> mutations) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (later_.empty()) later_since_ = Clock::now();
    append(later_, std::move(mutations));
    // A busy writer looks again within kMaxDelay; an idle one needs a clock.
    wake = writer_idle_;
  }
  if (wake) work_.notify_one();
}

void GroupCommit::request_commit() {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (requested_) return;  // already asked for since the last batch: no second wake-up
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
  std::unique_lock lock(mutex_);
  const std::uint64_t asked = ++flushes_asked_;
  requested_ = true;
  lock.unlock();
  work_.notify_one();
  lock.lock();
  idle_.wait(lock, [&] { return flushes_done_ >= asked || stopped_; });
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

bool GroupCommit::later_due(Clock::time_point now) const {
  return !later_.empty() &&
         (flushes_asked_ > flushes_done_ || stopping_ || now - later_since_ >= kLaterDelay);
}

void GroupCommit::wait_for_work(std::unique_lock<std::mutex>& lock, bool& idle,
                                std::size_t last_waiters) {
  writer_waiting_ = true;
  if (idle) {
    writer_idle_ = true;
    work_.wait(lock, [&] { return requested_ || !later_.empty() || stopping_; });
    writer_idle_ = false;
    idle = false;
  }
  if (last_waiters >= kCommitSiblings && !stopping_) {
    // Many callers wait on each commit: let the next batch grow (their
    // requests wake nobody meanwhile). One transaction then takes several
    // I/O turns, and the wake-up per commit, which on a busy machine costs
    // about as much as the commit, is saved.
    delaying_ = true;
    work_.wait_for(lock, kCommitDelay, [&] { return stopping_; });
    delaying_ = false;
  }
  for (;;) {
    const auto now = Clock::now();
    if (requested_ || stopping_ || later_due(now)) break;
    // Nothing asked for: sleep until the later writes are due, or for
    // kMaxDelay; then, if nothing came, the writer is idle.
    const auto until = later_.empty() ? now + kMaxDelay : later_since_ + kLaterDelay;
    if (!work_.wait_until(lock, until, [&] { return requested_ || stopping_; }) && later_.empty() &&
        pending_.empty()) {
      idle = true;
      break;
    }
  }
  writer_waiting_ = false;
}

void GroupCommit::run() {
  std::unique_lock lock(mutex_);
  bool idle = true;
  std::size_t last_waiters = 0;  // callers the last commit answered
  for (;;) {
    wait_for_work(lock, idle, last_waiters);
    requested_ = false;
    std::vector<BusMutation> batch;
    batch.swap(pending_);
    // After the awaited writes: a cursor move never precedes its record.
    if (later_due(Clock::now())) {
      append(batch, std::move(later_));
      later_.clear();
    }
    const std::uint64_t through = submitted_;
    const std::uint64_t flushes = flushes_asked_;  // everything they wait for is in batch
    if (batch.empty()) {
      flushes_done_ = flushes;
      idle_.notify_all();
      if (stopping_ && later_.empty()) break;
      continue;
    }
    lock.unlock();

    bool ok = true;
    const auto started = Clock::now();
    try {
      store_.apply(batch);
      if (on_commit_) on_commit_(Clock::now() - started);
    } catch (const std::exception& e) {
      // Reported to every caller waiting on this batch (their tool answers
      // an error) and logged here with its cause.
      ok = false;
      spdlog::error("bus store: a batch of {} change(s) failed: {}", batch.size(), e.what());
    }

    std::vector<std::function<void(bool)>> ready;
    lock.lock();
    committed_ = through;
    flushes_done_ = flushes;
    if (!ok) failed_through_ = through;
    if (ok) {
      ++commits_;
      changes_ += batch.size();
    }
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
