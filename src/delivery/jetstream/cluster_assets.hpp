#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "nats/kv_spec.hpp"
#include "nats/stream_spec.hpp"

namespace blender_bus::delivery::jetstream {

// The JetStream assets the delivery engine keeps its state in, one set for
// the whole cluster (every node provisions the same, idempotently):
//
//   stream BUS_RECORDS   subjects bus.rec.<bus>.<client>, republished to
//                        bus.live.<bus>.<client>; the stream sequence is the
//                        record's event id
//   KV BUS_CLIENTS       <bus>.<client> -> ClientInfo (client_codec)
//   KV BUS_PRESENCE      <bus>.<client> -> {"node","since"}: which node holds
//                        the client's feed
//   KV BUS_JOBS          <bus>.<job>    -> originator uuid (open jobs)
//   KV BUS_CURSORS       <bus>.<client> -> delivered seq (written lazily)
//
// Tokens are SubjectToken-encoded ids. The node registry (BUS_NODES, its
// heartbeats) belongs to the cluster's composition root; presence reads it.
inline constexpr const char* kRecordStream = "BUS_RECORDS";
inline constexpr const char* kRecordSubjects = "bus.rec.>";
inline constexpr const char* kLiveSubjects = "bus.live.>";
inline constexpr const char* kClientsBucket = "BUS_CLIENTS";
inline constexpr const char* kPresenceBucket = "BUS_PRESENCE";
inline constexpr const char* kJobsBucket = "BUS_JOBS";
inline constexpr const char* kCursorsBucket = "BUS_CURSORS";

struct AssetOptions {
  int replicas = 1;  // --cluster-replicas
  // Records kept per client (--inbox-max-records); the oldest of that client
  // go first. -1: no limit.
  std::int64_t max_records_per_client = 10000;
  // Records older than this go (--inbox-max-age); 0: kept until evicted by
  // the per-client limit.
  std::chrono::nanoseconds max_age{0};
  // The whole stream's bytes (2.9 has no per-subject byte limit); -1: none.
  std::int64_t max_bytes = -1;
  // The largest record; -1: the servers' max_payload.
  std::int32_t max_record_bytes = -1;
  // Jobs (open or finished) older than this leave BUS_JOBS: a finished job
  // stays there so that every node can answer its status; 0: forever.
  std::chrono::nanoseconds job_age = std::chrono::hours(24 * 7);
};

nats::StreamSpec records_stream_spec(const AssetOptions& options);
// The buckets, in the order above.
std::vector<nats::KvSpec> delivery_buckets(const AssetOptions& options);

}  // namespace blender_bus::delivery::jetstream
