#pragma once

#include <nats/nats.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "nats/connection.hpp"
#include "nats/message.hpp"

namespace blender_bus::nats {

// A message on a live subject. For a stream's republished copy (RePublish),
// `sequence` is its stream sequence (Nats-Sequence) and `last_sequence` the
// sequence of the previous message on the same stream subject
// (Nats-Last-Sequence; 0 when it was the first): a receiver that last saw
// sequence L and gets last_sequence > L has missed the messages between, and
// reads them from the stream (StreamReader). Both 0 for a plain message.
struct LiveMessage {
  Message message;
  std::uint64_t sequence = 0;
  std::uint64_t last_sequence = 0;
};

// A core NATS subscription (no JetStream consumer) whose messages go to a
// handler on the global delivery pool, in order. Core delivery is at most
// once: messages sent while the connection is reconnecting, or dropped when
// the handler falls `pending_messages` behind (a slow consumer: the
// Connection reports an error event for this subscription), are not
// redelivered; the sequence headers show the gap when the next one arrives.
class LiveSubscription {
 public:
  using Handler = std::function<void(LiveMessage)>;

  struct Options {
    int pending_messages = 65536;
    int pending_bytes = 64 * 1024 * 1024;
  };

  // Subscribes; `handler` runs on a delivery-pool thread, must not block or
  // throw (it is called from C), and may keep the message. Throws NatsError.
  LiveSubscription(Connection& connection, std::string subject, Handler handler);
  LiveSubscription(Connection& connection, std::string subject, Handler handler, Options options);
  // Unsubscribes and waits until the handler no longer runs. Not from the handler.
  ~LiveSubscription();
  LiveSubscription(const LiveSubscription&) = delete;
  LiveSubscription& operator=(const LiveSubscription&) = delete;

  const std::string& subject() const { return subject_; }
  // Messages nats.c dropped because the handler fell behind.
  std::uint64_t dropped() const;
  // For matching a Connection error event to this subscription.
  natsSubscription* native() const { return subscription_; }

 private:
  static void on_message(natsConnection* nc, natsSubscription* sub, natsMsg* msg, void* closure);
  static void on_complete(void* closure);

  std::string subject_;
  Handler handler_;
  natsSubscription* subscription_ = nullptr;
  std::mutex mutex_;
  std::condition_variable completed_;
  bool complete_ = false;
};

}  // namespace blender_bus::nats
