#include "delivery/jetstream/cluster_assets.hpp"

namespace blender_bus::delivery::jetstream {

using namespace std::chrono_literals;

nats::StreamSpec records_stream_spec(const AssetOptions& options) {
  nats::StreamSpec spec;
  spec.name = kRecordStream;
  spec.subjects = {kRecordSubjects};
  spec.replicas = options.replicas;
  spec.max_msgs_per_subject = options.max_records_per_client;
  spec.max_age = options.max_age;
  spec.max_bytes = options.max_bytes;
  spec.max_msg_size = options.max_record_bytes;
  spec.discard = nats::StreamSpec::Discard::old_messages;
  // A send retried through a leader election keeps its Nats-Msg-Id (the
  // message id and the target): stored once within this window.
  spec.duplicates = 2min;
  spec.allow_direct = true;  // backlog reads by direct get, from any replica
  spec.republish = nats::StreamSpec::RePublish{kRecordSubjects, kLiveSubjects, false};
  return spec;
}

std::vector<nats::KvSpec> delivery_buckets(const AssetOptions& options) {
  std::vector<nats::KvSpec> out;
  for (const char* bucket : {kClientsBucket, kPresenceBucket, kJobsBucket, kCursorsBucket}) {
    nats::KvSpec spec;
    spec.bucket = bucket;
    spec.replicas = options.replicas;
    if (spec.bucket == kJobsBucket) spec.ttl = options.job_age;
    out.push_back(std::move(spec));
  }
  return out;
}

}  // namespace blender_bus::delivery::jetstream
