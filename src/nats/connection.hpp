#pragma once

#include <nats/nats.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "nats/connection_event.hpp"
#include "nats/connection_options.hpp"

namespace blender_bus::nats {

// One connection to a NATS deployment and its JetStream context (RAII over
// natsConnection and jsCtx). Thread-safe: nats.c serialises its own calls.
//
// Threads: nats.c runs a reader and a flusher thread per connection, and
// reports events on a library thread; async subscriptions of this connection
// use the Library's global delivery pool. Listeners and every callback given
// to nats.c must not block, and must not destroy this Connection.
class Connection {
 public:
  using Listener = std::function<void(const ConnectionEvent&)>;
  using ListenerId = std::uint64_t;

  // Connects (see ConnectionOptions::retry_on_failed_connect). Throws
  // NatsError for bad options, or when the connect fails and is not retried.
  explicit Connection(ConnectionOptions options);
  // Closes the connection and waits for its `closed` event, so that nats.c
  // never calls back into a destroyed object.
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  ConnectionState state() const;
  // The URL of the server connected to; empty when not connected.
  std::string connected_url() const;
  // Blocks until connected (true) or `timeout` passed (false).
  bool wait_connected(std::chrono::milliseconds timeout) const;
  // Completed reconnects since the start (a gauge for metrics).
  std::uint64_t reconnects() const { return reconnects_.load(std::memory_order_relaxed); }
  // The largest message the servers accept (0 before the first connect).
  std::int64_t max_payload() const;

  // Listeners see every event from now on, on nats.c's event thread; after
  // remove_listener returns, that listener is not called again. Do not add
  // or remove listeners from inside one.
  ListenerId add_listener(Listener listener);
  void remove_listener(ListenerId id);

  // Blocks until the server has processed everything sent so far.
  void flush(std::chrono::milliseconds timeout);

  const ConnectionOptions& options() const { return options_; }
  natsConnection* native() const { return connection_; }
  // The JetStream context for synchronous API calls (Wait =
  // options().jetstream_wait). Async publishing has its own context per
  // Publisher, since nats.c has one ack handler per context.
  jsCtx* jetstream() const { return jetstream_; }

 private:
  static void on_connected(natsConnection* nc, void* closure);
  static void on_disconnected(natsConnection* nc, void* closure);
  static void on_reconnected(natsConnection* nc, void* closure);
  static void on_closed(natsConnection* nc, void* closure);
  static void on_error(natsConnection* nc, natsSubscription* sub, natsStatus status, void* closure);
  void notify(ConnectionEvent event);
  void close();

  ConnectionOptions options_;
  natsConnection* connection_ = nullptr;
  jsCtx* jetstream_ = nullptr;
  std::atomic<std::uint64_t> reconnects_{0};
  std::atomic<bool> connected_once_{false};

  mutable std::mutex mutex_;  // guards the fields below
  mutable std::condition_variable changed_;
  bool closed_ = false;  // the closed event was delivered
  std::map<ListenerId, Listener> listeners_;
  ListenerId next_listener_ = 1;
  std::mutex dispatch_;  // held while listeners run, so that removal waits for them
};

}  // namespace blender_bus::nats
