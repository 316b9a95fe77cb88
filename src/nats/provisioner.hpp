#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "nats/connection.hpp"
#include "nats/kv_spec.hpp"
#include "nats/stream_spec.hpp"

namespace blender_bus::nats {

// Creates the streams and buckets a program needs, or checks that the ones
// there match: every node runs it at start, so it is idempotent.
//
// A stream that differs only in limits nats-server 2.9 can change on a live
// stream (subjects, replicas, max_* limits, max_age, discard, duplicates,
// allow_direct, allow_rollup, setting deny_delete/deny_purge) is updated. A
// difference it cannot change (storage, RePublish, clearing
// deny_delete/deny_purge) throws ProvisionError naming the asset and every
// difference: changing those means a new stream, and a stream recreated
// restarts its sequence numbers at 1.
//
// Replicas: a standalone server refuses to create a stream with replicas > 1
// but accepts an update to 2 and reports it (2.9 quirk), so replicas > 1 are
// checked against the stream's cluster here; more replicas than the cluster
// has servers fail on the server ("insufficient resources").
//
// Blocking (stream API requests; transient failures such as "no meta leader
// yet" are retried until `deadline`): call it at start, or on a BlockingPool.
class Provisioner {
 public:
  struct Outcome {
    enum class Action { created, unchanged, updated };
    Action action = Action::unchanged;
    std::vector<std::string> changes;  // "max_age: 1h -> 2h" for an update
    int replicas = 0;                  // as the server now has it
  };

  struct Options {
    std::chrono::milliseconds deadline{15000};
  };

  explicit Provisioner(Connection& connection) : Provisioner(connection, Options{}) {}
  Provisioner(Connection& connection, Options options)
      : connection_(connection), options_(options) {}

  Outcome ensure_stream(const StreamSpec& spec);
  Outcome ensure_bucket(const KvSpec& spec);

 private:
  Outcome ensure(const StreamSpec& spec, const std::string& asset);

  Connection& connection_;
  Options options_;
};

}  // namespace blender_bus::nats
