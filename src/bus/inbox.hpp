#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "bus/priority.hpp"

namespace blender_bus::bus {

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
  Priority level = Priority::info;
  double timestamp = 0;
  std::shared_ptr<const std::string> text;
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

  // Highest seq ever evicted, 0 when none: a replay from below it is incomplete.
  std::uint64_t evicted_through() const { return evicted_; }
  // Seq of the oldest retained record (next seq to come when empty is unknown: 0).
  std::uint64_t first_seq() const { return records_.empty() ? 0 : records_.front().seq; }
  std::size_t size() const { return records_.size(); }
  std::size_t bytes() const { return bytes_; }
  std::size_t pending() const;
  std::uint64_t dropped() const { return dropped_; }

 private:
  // Evicts the oldest record; true when it was undelivered.
  bool evict_front();

  Records records_;
  std::size_t bytes_ = 0;
  std::uint64_t delivered_ = 0;
  std::uint64_t evicted_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace blender_bus::bus
