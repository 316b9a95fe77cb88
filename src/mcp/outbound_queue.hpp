#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace blender_bus::mcp {

// One server-to-client message on a session's standalone stream. `data` is a
// complete serialized JSON-RPC message.
struct OutboundEvent {
  std::uint64_t id = 0;
  std::string data;
};

// The session's outbound path (DESIGN.md: bus -> per-session queue -> stream
// writer). Thread-safe: any thread may push; one consumer (a stream writer)
// reads. Every event gets a session-unique increasing id and stays in a bounded
// window after delivery, so a reconnecting stream can resume from its
// Last-Event-ID. A consumer that falls `max_pending` events behind is cut off
// rather than buffered for without limit; it resumes by replay.
class OutboundQueue {
 public:
  OutboundQueue(std::size_t window_capacity, std::size_t max_pending);

  enum class PushOutcome { delivered_or_queued, consumer_cut_off };
  PushOutcome push(std::string data);

  // Events with id > cursor, oldest first, at most `limit`. nullopt when the
  // cursor cannot be resumed from: never issued, or the events right after it
  // have already left the window.
  std::optional<std::vector<OutboundEvent>> after(std::uint64_t cursor,
                                                  std::size_t limit = SIZE_MAX) const;
  std::uint64_t last_id() const;

  // A consumer attaches with a waker, called (on the pushing thread, lock not
  // held) when events arrive or when the consumer must stop. Attaching
  // replaces, and wakes, any earlier consumer. `resume_from` is the cursor the
  // consumer starts writing after. Returns the attachment token (0: closed).
  using Waker = std::function<void()>;
  std::uint64_t attach(Waker waker, std::uint64_t resume_from);
  void detach(std::uint64_t token);
  // The consumer reports how far it has written; the lag is measured from it.
  void acknowledge(std::uint64_t token, std::uint64_t delivered_through);
  // False once `token` was replaced, cut off, detached or the queue closed.
  bool is_current(std::uint64_t token) const;
  bool has_consumer() const;

  // Stops the consumer for good (the session ended).
  void close();
  bool closed() const;

 private:
  Waker take_waker_locked();

  mutable std::mutex mutex_;
  std::deque<OutboundEvent> window_;  // oldest first; ids are contiguous
  const std::size_t window_capacity_;
  const std::size_t max_pending_;
  std::uint64_t next_id_ = 1;
  std::uint64_t consumer_token_ = 0;  // 0: no consumer
  std::uint64_t consumer_acked_ = 0;
  std::uint64_t next_token_ = 1;
  Waker waker_;
  bool closed_ = false;
};

}  // namespace blender_bus::mcp
