#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "nats/stream_spec.hpp"

namespace blender_bus::nats {

// A key-value bucket: in JetStream, the stream KV_<bucket> over the subjects
// $KV.<bucket>.<key>, holding `history` messages per key; the key's revision
// is the message's stream sequence.
struct KvSpec {
  std::string bucket;
  int history = 1;  // 1..64
  int replicas = 1;
  StreamSpec::Storage storage = StreamSpec::Storage::file;
  // Bucket-wide age limit: keys older than this vanish, silently (2.9 has no
  // per-key TTL and emits no event when a key ages out).
  std::chrono::nanoseconds ttl{0};
  std::int64_t max_bytes = -1;
  std::int32_t max_value_size = -1;
};

// The stream a bucket is, exactly as nats.c's js_CreateKeyValue makes it (so
// that nats.c's kvStore and the nats CLI can use our buckets).
StreamSpec kv_stream_spec(const KvSpec& spec);

std::string kv_stream_name(std::string_view bucket);                    // KV_<bucket>
std::string kv_subject(std::string_view bucket, std::string_view key);  // $KV.<bucket>.<key>

}  // namespace blender_bus::nats
