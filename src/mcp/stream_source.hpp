#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mcp/session.hpp"

namespace blender_bus::mcp {

// One server-to-client message on a session's standalone stream. `data` is a
// complete serialized JSON-RPC message, shared with where it is kept (a
// broadcast's records are not copied once more per stream); `id` is its SSE
// event id, 0 for an event that has none (it cannot be resumed from).
struct OutboundEvent {
  std::uint64_t id = 0;
  std::shared_ptr<const std::string> data;
};

// How far a batch went in one partition of the source (for the bus: one
// client's inbox). Opaque to the transport, which only hands it back.
struct StreamProgress {
  std::string key;
  std::uint64_t through = 0;
};

// What a stream writes next, and what to acknowledge once it is written.
// Events may be empty while progress is not (everything read was skipped,
// e.g. below the session's logging threshold).
struct StreamBatch {
  std::vector<OutboundEvent> events;
  std::vector<StreamProgress> progress;
  bool more = false;  // the read stopped at its limit: there may be more to read
  bool empty() const { return events.empty() && progress.empty(); }
};

// Where a session's standalone stream pulls its events from (DESIGN.md:
// delivery is one path). The records live elsewhere (the bus's inboxes); the
// session only signals that there is something to pull. Thread-safe.
class StreamSource {
 public:
  virtual ~StreamSource() = default;

  enum class ResumeError { not_issued, not_retained };
  // A stream opens with Last-Event-ID `last_event_id`: what it covers counts as
  // received, what follows is replayed. nullopt: accepted.
  virtual std::optional<ResumeError> resume(const Session& session,
                                            std::uint64_t last_event_id) = 0;

  // Up to `limit` undelivered events for the session, oldest first.
  virtual StreamBatch next(const Session& session, std::size_t limit) = 0;

  // The batch was written to the session's stream.
  virtual void delivered(const Session& session, const StreamBatch& batch) = 0;
};

}  // namespace blender_bus::mcp
