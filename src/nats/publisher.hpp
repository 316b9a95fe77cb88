#pragma once

#include <nats/nats.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_executor.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "nats/connection.hpp"
#include "nats/publish_batch.hpp"
#include "nats/publish_request.hpp"
#include "nats/publish_result.hpp"
#include "nats/unique_ids.hpp"

namespace blender_bus::nats {

// JetStream publishing without blocking the caller: each message goes out at
// once (js_PublishMsgAsync, pipelined: one round trip for many) and its ack
// settles its PublishBatch, which resumes the awaiting coroutine on its own
// executor.
//
// Failures that time cures are retried with the same message, so the same
// Nats-Msg-Id, and the stream stores it once: no ack within ack_wait, no
// responders (no stream leader during a RAFT election: 4-9 s in 2.9), the
// connection lost. Retries are sent from the Publisher's own thread after a
// backoff (never from nats.c's ack thread, which is the one that frees
// slots); after `deadline` from start() the message fails with the last
// error. Other errors (a wrong last sequence, a full subject with discard
// new, no stream for the subject...) are final at once.
//
// Backpressure: at most max_in_flight messages are outstanding (sent or
// waiting for a retry), so nats.c's own limit never makes a caller wait.
// Beyond it messages queue in order (sent by the Publisher's thread as acks
// free slots), and beyond max_queued more start() fails them at once.
//
// Order: messages are sent in start() order; a retried message may be stored
// after ones sent later.
//
// Threads: the caller's (first send), nats.c's ack thread for this
// Publisher's own JetStream context (results), the Publisher's sender thread
// (retries, queued messages).
class Publisher {
 public:
  struct Options {
    std::chrono::milliseconds ack_wait{2000};   // per attempt
    std::chrono::milliseconds deadline{15000};  // per message, from start()
    std::chrono::milliseconds backoff_first{20};
    std::chrono::milliseconds backoff_longest{250};
    std::size_t max_in_flight = 4096;
    std::size_t max_queued = 65536;
    // Told, on the ack thread, how long each acked message took from start()
    // to its ack (retries included), for a latency histogram. It must not
    // block or publish. Unset: nothing is measured.
    std::function<void(std::chrono::nanoseconds)> on_acked;
  };

  struct Stats {
    std::size_t outstanding = 0;  // sent and not acked, or waiting for a retry
    std::size_t queued = 0;       // not sent yet (over max_in_flight)
    std::uint64_t acked = 0;
    std::uint64_t failed = 0;
    std::uint64_t retries = 0;
  };

  explicit Publisher(Connection& connection);
  Publisher(Connection& connection, Options options);
  // Fails what is still outstanding (see drain()), then waits until nats.c
  // has returned every message.
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Starts the publishes; never blocks beyond a socket write. The requests
  // are copied before it returns.
  std::shared_ptr<PublishBatch> start(std::span<const PublishRequest> requests);
  std::shared_ptr<PublishBatch> start(const PublishRequest& request) {
    return start(std::span<const PublishRequest>(&request, 1));
  }

  // All of these acked (or failed): the results in request order. The
  // requests must live until the coroutine first suspends (the usual
  // `co_await publisher.publish_all(requests)` does).
  boost::asio::awaitable<std::vector<PublishResult>> publish_all(
      std::span<const PublishRequest> requests);
  boost::asio::awaitable<PublishResult> publish(const PublishRequest& request);

  // One publish whose result is handed to `on_result(PublishResult)`,
  // posted to `executor`.
  template <class Executor, class F>
  void publish(const PublishRequest& request, const Executor& executor, F on_result) {
    start(request)->async_wait(boost::asio::bind_executor(
        executor, [on_result = std::move(on_result)](std::vector<PublishResult> results) mutable {
          on_result(std::move(results.front()));
        }));
  }

  // Blocks until nothing is outstanding or queued (true), or `timeout`
  // passed (false). For an orderly shutdown.
  bool drain(std::chrono::milliseconds timeout);

  Stats stats() const;
  const Options& options() const { return options_; }

 private:
  using Clock = std::chrono::steady_clock;

  struct Pending {
    natsMsg* msg = nullptr;
    std::shared_ptr<PublishBatch> batch;
    std::size_t index = 0;
    Clock::time_point deadline;
    std::chrono::milliseconds backoff{};
    unsigned attempts = 0;
  };

  static void on_ack(jsCtx* js, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error, void* closure);
  void handle_ack(natsMsg* msg, jsPubAck* ack, jsPubAckErr* error);
  // Hands one counted message to nats.c (registered first: its ack may come
  // before the call returns); a refused send is retried or fails.
  void send(Pending pending);
  // With the lock held: queues a retry when the error is transient and the
  // deadline allows (true); else the caller fails it.
  bool schedule_retry(Pending& pending, NatsError& error);
  // With the lock held: gives up a counted message and records its result.
  void fail(Pending& pending, NatsError error);
  // With the lock held: one fewer message outstanding.
  void release_slot();
  void run_sender();

  Connection& connection_;
  Options options_;
  jsCtx* js_ = nullptr;
  UniqueIds ids_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;                       // the sender thread
  std::condition_variable settled_;                    // drain() and the destructor
  std::unordered_map<natsMsg*, Pending> in_flight_;    // handed to nats.c
  std::multimap<Clock::time_point, Pending> retries_;  // due time -> message
  std::deque<Pending> queued_;
  std::size_t outstanding_ = 0;     // in_flight_ + retries_ + those being sent
  std::size_t direct_senders_ = 0;  // start() calls sending on their own thread now
  std::uint64_t acked_ = 0;
  std::uint64_t failed_ = 0;
  std::uint64_t retried_ = 0;
  bool stopping_ = false;
  std::thread sender_;
};

}  // namespace blender_bus::nats
