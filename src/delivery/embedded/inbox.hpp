#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "bus/priority.hpp"

namespace blender_bus::delivery::embedded {

// Bounds on one client's inbox (SPEC §9). Whatever they evict undelivered is
// counted as dropped, never silently lost.
struct InboxLimits {
  std::size_t max_records = 16384;
  double max_age_seconds = 24 * 3600;
  std::size_t max_bytes = 64 * 1024 * 1024;  // serialized records; caps memory per client
};

// One record addressed to one client. `seq` is the user-level sequence number
// (the SSE event id); `text` the complete notifications/message.
struct InboxRecord {
  std::uint64_t seq = 0;
  bus::Priority level = bus::Priority::info;
  double timestamp = 0;
  std::shared_ptr<const std::string> text;
  // Not deliverable yet: the change that made it waits for the store's commit
  // (a send answered with an error must reach nobody). Readers stop before it.
  bool held = false;
};

// A client's records, oldest first, in increasing seq order. Records up to
// the delivered cursor have been written to a stream (or acknowledged by a
// pull); they stay for replay until a bound evicts them. Since the delivered
// ones are always the oldest, evicting from the front evicts them first.
// Not thread-safe: the bus's lock guards it.
class Inbox {
 public:
  using Records = std::deque<InboxRecord>;

  // Appends a record whose seq is above every earlier one, then applies the
  // bounds. Returns how many undelivered records the bounds dropped.
  std::size_t append(InboxRecord record, const InboxLimits& limits, double now);
  // Applies the age bound alone. Returns how many undelivered records it dropped.
  std::size_t expire(const InboxLimits& limits, double now);

  // The first record with seq > `seq` (O(log n)).
  Records::const_iterator first_after(std::uint64_t seq) const;
  const Records& records() const { return records_; }

  std::uint64_t delivered_through() const { return delivered_; }
  // Moves the cursor forward only (a stream wrote, a pull acknowledged).
  void advance_delivered(std::uint64_t through);
  // Sets the cursor either way (a Last-Event-ID names what the client has).
  void set_delivered(std::uint64_t through) { delivered_ = through; }

  // A held record becomes deliverable. False when it is not (or no longer) here.
  bool release(std::uint64_t seq);
  // Removes a held record whose change failed: it never existed for the
  // client (not dropped, not evicted). False when it is not here.
  bool withdraw(std::uint64_t seq);
  // Seq of the oldest held record after `seq`, 0 when none.
  std::uint64_t first_held_after(std::uint64_t seq) const;

  // Seq of the oldest record when it was delivered, else 0 (none, or not yet
  // delivered): what a user-wide quota may evict without losing anything.
  std::uint64_t delivered_front() const;
  // Evicts the oldest record (there must be one); returns its bytes.
  std::size_t evict_oldest();

  // Highest seq ever evicted, 0 when none: a replay from below it is incomplete.
  std::uint64_t evicted_through() const { return evicted_; }
  // Seq of the oldest retained record (next seq to come when empty is unknown: 0).
  std::uint64_t first_seq() const { return records_.empty() ? 0 : records_.front().seq; }
  std::size_t size() const { return records_.size(); }
  std::size_t bytes() const { return bytes_; }
  std::size_t pending() const;
  std::uint64_t dropped() const { return dropped_; }
  // Carries a count over to a fresh inbox that replaces this one's records.
  void restore_dropped(std::uint64_t dropped) { dropped_ = dropped; }

 private:
  // Evicts the oldest record; true when it was undelivered.
  bool evict_front();
  Records::iterator find(std::uint64_t seq);
  void forget_held(std::uint64_t seq);

  Records records_;
  // Seqs of the held records, increasing. Few at a time (those whose commit
  // is in flight), so a linear search is cheaper than a tree.
  std::deque<std::uint64_t> held_;
  std::size_t bytes_ = 0;
  std::uint64_t delivered_ = 0;
  std::uint64_t evicted_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace blender_bus::delivery::embedded
