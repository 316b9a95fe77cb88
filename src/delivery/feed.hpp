#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bus/priority.hpp"

namespace blender_bus::delivery {

// One record of a client, as a reader gets it. `text` is the complete
// serialized notifications/message (SPEC §7), shared with the log (a
// broadcast's records are not copied per reader); `seq` its position, the SSE
// event id.
struct LoggedRecord {
  std::uint64_t seq = 0;
  bus::Priority level = bus::Priority::info;
  std::shared_ptr<const std::string> text;
};

// Told that a feed may have more for Feed::next. Implemented by whoever
// writes a client's records out (transport's SseStream, a streaming receive).
class FeedListener {
 public:
  virtual ~FeedListener() = default;

  // Called on any thread (embedded: inline on the appending thread, no lock
  // of the log held, which keeps the same-thread write path; JetStream: a
  // worker of the subscription), perhaps more often than there is news, and
  // never after the feed's destructor has returned. Must not block; may
  // call Feed::next.
  virtual void on_records() = 0;
};

// The live view of one client's records after a cursor (RecordLog::open_feed):
// the backlog first, then each record as it is appended. Thread-safe.
// Destroying it stops the listener's calls (the destructor waits for a call
// in progress on another thread).
class Feed {
 public:
  virtual ~Feed() = default;

  // Up to `limit` records after the last one returned (or the opening
  // cursor), in seq order. Empty when nothing more is there yet.
  virtual std::vector<LoggedRecord> next(std::size_t limit) = 0;

  // The reader has written every record through `through`: the client's
  // delivered cursor moves there (forward only; stored lazily).
  virtual void acknowledge(std::uint64_t through) = 0;
};

}  // namespace blender_bus::delivery
