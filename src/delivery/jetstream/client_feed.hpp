#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "delivery/feed.hpp"
#include "nats/blocking_pool.hpp"
#include "nats/connection.hpp"
#include "nats/live_subscription.hpp"
#include "nats/nats_error.hpp"
#include "nats/stream_reader.hpp"

namespace blender_bus::delivery::jetstream {

// The live view of one client's records after a cursor, on the node that
// holds the client's feed: the backlog read from BUS_RECORDS, then what the
// stream republishes to the client's live subject. No JetStream consumer:
// one core subscription per held feed.
//
// Open: subscribe to bus.live.<bus>.<client> first (live records wait in a
// buffer), then on the BlockingPool take the leader's last sequence of the
// subject as the bound and read up to it by direct get (StreamReader), in
// chunks that become readable as they arrive; then the buffer drains.
//
// Gap rule: each republished record names the previous sequence of its
// subject (Nats-Last-Sequence). One whose previous is above the last record
// taken here means records were missed (core delivery is at most once: a
// reconnect, a slow consumer, a leader change); they are read from the
// stream first, on the pool, and the live records wait behind. Records at
// or below the last one taken are duplicates and dropped. A lost republish
// with nothing after it is caught by catch_up() (the engine calls it after a
// reconnect and on a slow sweep).
//
// Threads: `on_records` runs on a delivery-pool or BlockingPool thread, must
// not block, and is never called after close() returned. next() and the
// rest may be called from any thread.
class ClientFeed : public std::enable_shared_from_this<ClientFeed> {
 public:
  using Listener = std::function<void()>;

  struct Services {
    nats::Connection& connection;
    nats::BlockingPool& pool;
    nats::StreamReader& reader;
  };

  // Records read per direct-get pass before they are handed out.
  static constexpr std::size_t kReadChunk = 256;
  // A backlog read pauses while this many records wait for next(), so a
  // large backlog is not held in memory at once.
  static constexpr std::size_t kMaxReady = 4 * kReadChunk;

  // Subscribes (throws nats::NatsError) and starts the backlog read.
  static std::shared_ptr<ClientFeed> open(Services services, std::string record_subject,
                                          std::string live_subject, std::uint64_t after,
                                          Listener on_records);
  ~ClientFeed();
  ClientFeed(const ClientFeed&) = delete;
  ClientFeed& operator=(const ClientFeed&) = delete;

  // Up to `limit` records after what earlier calls returned, in seq order.
  std::vector<LoggedRecord> next(std::size_t limit);
  // The last sequence next() returned (the cursor given at open before any).
  std::uint64_t position() const;
  // Whether the backlog up to the bound taken at open has been read.
  bool caught_up() const;
  // The last read's failure (the cluster unreachable past the reader's
  // deadline), cleared by the next successful read; the feed retries on the
  // next live record or catch_up().
  std::optional<nats::NatsError> failure() const;

  // Reads whatever the stream holds for the client beyond the last record
  // taken (a leader read of the subject's last sequence, then direct gets).
  void catch_up();
  // Stops: no listener call after it returns; the subscription is undone on
  // the pool. Idempotent. Not from the listener.
  void close();

 private:
  struct Waiting {
    LoggedRecord item;
    std::uint64_t previous = 0;  // Nats-Last-Sequence
  };

  ClientFeed(Services services, std::string record_subject, std::uint64_t after,
             Listener on_records);
  void on_live(nats::LiveMessage live);
  // With the lock held: takes buffered live records while they follow on;
  // at a gap sets the bound to read to and returns false.
  bool drain_locked();
  // With the lock held: a read is wanted; starts one unless one runs.
  void want_read_locked();
  void run_reads();
  void notify();

  Services services_;
  const std::string record_subject_;
  Listener on_records_;
  std::unique_ptr<nats::LiveSubscription> live_;

  mutable std::mutex mutex_;
  std::deque<LoggedRecord> ready_;
  std::map<std::uint64_t, Waiting> waiting_;  // live records behind a read, by seq
  std::uint64_t taken_ = 0;                   // the last record put in ready_
  std::uint64_t position_ = 0;                // the last record next() returned
  std::uint64_t read_bound_ = 0;              // read up to this (a gap's end)
  bool read_to_leader_ = true;                // read up to the leader's last seq
  bool reading_ = false;                      // a read runs on the pool
  bool paused_ = false;                       // a read waits for next() to make room
  bool caught_up_ = false;
  bool closed_ = false;
  std::optional<nats::NatsError> failure_;

  std::mutex notify_mutex_;  // held while the listener runs, so close() waits for it
  bool notify_closed_ = false;
};

}  // namespace blender_bus::delivery::jetstream
