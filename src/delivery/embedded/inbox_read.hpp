#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bus/priority.hpp"

namespace blender_bus::delivery::embedded {

// One record read out of an inbox, for a stream or a pull.
struct InboxItem {
  std::uint64_t seq = 0;
  bus::Priority level = bus::Priority::info;
  std::shared_ptr<const std::string> text;
};

// How far a read went in one client's inbox.
struct InboxProgress {
  std::string client_uuid;
  std::uint64_t through = 0;
};

// A persistent client's delivered cursor moved: the store records it lazily,
// and forgets its records below `retained_from`.
struct CursorUpdate {
  std::string client_uuid;
  std::uint64_t delivered = 0;
  std::uint64_t retained_from = 0;
  bool exact = false;  // a Last-Event-ID set it (maybe backwards); else it only grows
};

// The records pending for a session's stream, merged by seq across the
// session's clients, with the progress to acknowledge once they are written.
struct SessionRead {
  std::vector<InboxItem> items;
  std::vector<InboxProgress> progress;
};

// Replaying a session from a Last-Event-ID.
enum class ResumeResult { ok, not_issued, not_retained };

// blender_receive_messages: a client's records after a cursor.
struct PullRead {
  bool found = false;  // the client exists on this bus
  std::vector<InboxItem> items;
  std::uint64_t next = 0;  // the cursor to pass as `after` next time
  std::optional<CursorUpdate> cursor;
};

}  // namespace blender_bus::delivery::embedded
