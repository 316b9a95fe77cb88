#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "nats/blocking_pool.hpp"
#include "nats/connection.hpp"
#include "nats/kv_entry.hpp"
#include "nats/message.hpp"
#include "nats/publish_result.hpp"
#include "nats/publisher.hpp"
#include "nats/unique_ids.hpp"

namespace blender_bus::nats {

// Reads and writes of one KV bucket (made by Provisioner::ensure_bucket).
//
// Writes are JetStream publishes to $KV.<bucket>.<key> through the
// Publisher: pipelined, never on a pool thread, retried through leader
// elections with the same Nats-Msg-Id. Conditional writes publish with
// Nats-Expected-Last-Subject-Sequence, which gives a typed conflict (jerr
// 10071 and the actual revision), where nats.c's kvStore_Update answers a
// bare NATS_ERR; a conditional delete is a KV-Operation: DEL marker with the
// same expectation (nats.c 3.4 has no such call).
//
// Reads here are leader reads (js_GetLastMsg: consistent right after a write
// anywhere; direct gets and kvStore_Get may be answered by a lagging
// replica). They run on the BlockingPool. Reads that may be a little stale
// belong to a KvMirror.
//
// Keys: [-/_=.A-Za-z0-9]+, not starting or ending with '.'; encode ids with
// SubjectToken. A bad key throws NatsError(NATS_INVALID_ARG).
class KvBucket {
 public:
  struct Options {
    std::chrono::milliseconds read_deadline{15000};  // leader reads retried up to this
  };

  KvBucket(Connection& connection, Publisher& publisher, BlockingPool& pool, std::string bucket);
  KvBucket(Connection& connection, Publisher& publisher, BlockingPool& pool, std::string bucket,
           Options options);

  const std::string& bucket() const { return bucket_; }

  // The key's latest value (leader read); nullopt when missing or deleted.
  boost::asio::awaitable<std::optional<KvEntry>> get(std::string key);
  // The same, blocking the calling thread (a pool thread, a command-line tool).
  std::optional<KvEntry> get_now(std::string_view key);

  // Writes unconditionally; returns the new revision. Throws NatsError.
  boost::asio::awaitable<std::uint64_t> put(std::string key, std::string value);
  // Writes only if the key does not exist (a deleted key counts as missing).
  boost::asio::awaitable<KvWrite> create(std::string key, std::string value);
  // Writes only if the key is at `revision`.
  boost::asio::awaitable<KvWrite> update(std::string key, std::string value,
                                         std::uint64_t revision);
  // Deletes (a marker; history stays until it ages out) only if the key is at
  // `revision`.
  boost::asio::awaitable<KvWrite> erase(std::string key, std::uint64_t revision);
  // Deletes unconditionally.
  boost::asio::awaitable<void> erase(std::string key);
  // Deletes the key and every older revision of it (a rollup marker).
  boost::asio::awaitable<void> purge(std::string key);

  // A write nobody waits for (cursors, last-seen times): `on_result`, if
  // given, is called on a nats.c or Publisher thread and must not block.
  void put_later(std::string_view key, std::string_view value,
                 std::function<void(const PublishResult&)> on_result = {});

 private:
  // One conditional write; an R3 stream checks the expectation before the
  // Nats-Msg-Id, so a retry of a write that was stored but whose ack was lost
  // reads as a conflict: confirmed by a leader read of the key's last message
  // (its Nats-Msg-Id is ours).
  boost::asio::awaitable<KvWrite> write_if(const std::string& key, std::string_view value,
                                           std::uint64_t revision, std::string_view operation);
  // The key's last message, markers included (leader read, blocking).
  std::optional<Message> last_message(std::string_view key);
  std::string subject_of(std::string_view key) const;

  Connection& connection_;
  Publisher& publisher_;
  BlockingPool& pool_;
  std::string bucket_;
  std::string stream_;
  Options options_;
  UniqueIds ids_;
};

// The operation a KV message stands for (from its KV-Operation header).
KvEntry::Operation kv_operation_of(const Message& message);

// Throws NatsError(NATS_INVALID_ARG) unless `key` is a valid KV key.
void check_kv_key(std::string_view key);

}  // namespace blender_bus::nats
