#pragma once

#include <nats/nats.h>

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "nats/async_result.hpp"
#include "nats/connection.hpp"
#include "nats/kv_entry.hpp"

namespace blender_bus::nats {

// An in-memory copy of a KV bucket, kept current by one ordered push
// subscription on $KV.<bucket>.> (DeliverLastPerSubject: the latest revision
// of every key, then each change in stream order), delivered by the global
// delivery pool. One consumer per bucket per process; one message per change.
//
// Why not nats.c's kvWatcher: it is pull-only (a thread blocked per watcher)
// and its consumer's 5-s heartbeat left it blind 15-17 s after a NATS server
// failure (measured); with a 1-s heartbeat this mirror was blind ~5 s. nats.c
// recreates the ordered consumer after a gap or missed heartbeats, from the
// next stream sequence, so the copy stays exact.
//
// Staleness: changes arrive about a round trip after the write (longer
// across a failure); use KvBucket::get (a leader read) where a stale "not
// found" matters. Keys that age out of a bucket with a TTL vanish from the
// bucket without any event (2.9): the mirror keeps them.
class KvMirror {
 public:
  struct Callbacks {
    // Every change after it is applied (deletes as Operation::erase/purge,
    // with the marker's revision and an empty value), in stream order, on a
    // delivery-pool thread; the bucket's contents at subscription time come
    // first, one call per key, before on_loaded. Must not block or throw.
    std::function<void(const KvEntry&)> on_change;
    // Once, when the bucket's contents at subscription time are applied.
    std::function<void()> on_loaded;
  };

  struct Options {
    std::chrono::milliseconds heartbeat{1000};
  };

  // Subscribes (a request to the server; blocking, throws NatsError).
  KvMirror(Connection& connection, std::string bucket, Callbacks callbacks = {});
  KvMirror(Connection& connection, std::string bucket, Callbacks callbacks, Options options);
  // Unsubscribes and waits until no callback runs any more. Not from a callback.
  ~KvMirror();
  KvMirror(const KvMirror&) = delete;
  KvMirror& operator=(const KvMirror&) = delete;

  bool loaded() const { return loaded_.ready(); }
  // Completes (true) once loaded, on the awaiting coroutine's executor.
  boost::asio::awaitable<bool> wait_loaded() { return loaded_.wait(); }
  // Blocks until loaded (true) or `timeout` passed (false).
  bool wait_loaded_for(std::chrono::milliseconds timeout) const;

  std::optional<KvEntry> get(const std::string& key) const;
  std::uint64_t revision(const std::string& key) const;  // 0: missing
  std::size_t size() const;
  std::vector<KvEntry> entries() const;
  // The highest stream sequence applied (0: none yet).
  std::uint64_t last_revision() const;

  const std::string& bucket() const { return bucket_; }

 private:
  static void on_message(natsConnection* nc, natsSubscription* sub, natsMsg* msg, void* closure);
  static void on_complete(void* closure);
  void apply(natsMsg* msg);
  void mark_loaded();

  std::string bucket_;
  std::string prefix_;  // "$KV.<bucket>."
  Callbacks callbacks_;
  natsSubscription* subscription_ = nullptr;

  mutable std::shared_mutex mutex_;  // guards entries_ and last_revision_
  std::unordered_map<std::string, KvEntry> entries_;
  std::uint64_t last_revision_ = 0;

  AsyncResult<bool> loaded_;
  mutable std::mutex state_mutex_;
  mutable std::condition_variable state_changed_;
  bool complete_ = false;  // nats.c delivers nothing more
};

}  // namespace blender_bus::nats
