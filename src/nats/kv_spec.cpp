#include "nats/kv_spec.hpp"

namespace blender_bus::nats {

std::string kv_stream_name(std::string_view bucket) {
  return "KV_" + std::string(bucket);
}

std::string kv_subject(std::string_view bucket, std::string_view key) {
  std::string subject = "$KV.";
  subject += bucket;
  subject += '.';
  subject += key;
  return subject;
}

StreamSpec kv_stream_spec(const KvSpec& spec) {
  StreamSpec stream;
  stream.name = kv_stream_name(spec.bucket);
  stream.subjects = {kv_subject(spec.bucket, ">")};
  stream.replicas = spec.replicas;
  stream.storage = spec.storage;
  stream.max_msgs_per_subject = spec.history;
  stream.max_bytes = spec.max_bytes;
  stream.max_msg_size = spec.max_value_size;
  stream.max_age = spec.ttl;
  stream.discard = StreamSpec::Discard::new_messages;
  stream.allow_direct = true;
  stream.allow_rollup = true;
  stream.deny_delete = true;
  return stream;
}

}  // namespace blender_bus::nats
