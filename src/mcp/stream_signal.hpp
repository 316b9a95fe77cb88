#pragma once

#include <cstdint>
#include <functional>
#include <mutex>

namespace blender_bus::mcp {

// A session's signal to its stream (DESIGN.md: bus -> inbox -> stream writer):
// it holds no records (they wait in the bus's inboxes, read through a
// StreamSource), only the one consumer that pulls them (a stream writer,
// transport's SseStream) and its waker, called when there is something new.
// Thread-safe: any thread may wake; one consumer.
class StreamSignal {
 public:
  // A consumer attaches with a waker, called (on the waking thread, lock not
  // held) when records arrive or when the consumer must stop. Attaching
  // replaces, and wakes, any earlier consumer. Returns the attachment token
  // (0: closed).
  using Waker = std::function<void()>;
  std::uint64_t attach(Waker waker);
  void detach(std::uint64_t token);
  // False once `token` was replaced, detached or the queue closed.
  bool is_current(std::uint64_t token) const;
  bool has_consumer() const;
  // True once any consumer attached (for liveness: a client whose session
  // never opened a stream counts as online while the session lives).
  bool ever_attached() const;

  // Something new to pull: wakes the consumer, if any.
  void wake();

  // Stops the consumer for good (the session ended).
  void close();
  bool closed() const;

 private:
  Waker take_waker_locked();

  mutable std::mutex mutex_;
  std::uint64_t consumer_token_ = 0;  // 0: no consumer
  std::uint64_t next_token_ = 1;
  Waker waker_;
  bool ever_attached_ = false;
  bool closed_ = false;
};

}  // namespace blender_bus::mcp
