#pragma once

#include <memory>
#include <string>

#include "bus/clock.hpp"
#include "bus/limits.hpp"
#include "delivery/jetstream/cluster_assets.hpp"
#include "delivery/jetstream/jetstream_directory.hpp"
#include "delivery/jetstream/jetstream_record_log.hpp"

namespace blender_bus::delivery::jetstream {

// Both ports on one node's cluster connection, wired to each other: the
// record log asks the directory whether a client exists, the directory asks
// the log for a client's counts. The composition root builds it over its
// cluster::Cluster (connection, publisher, pool), after provisioning
// records_stream_spec and delivery_buckets, and passes the node registry's
// liveness as `node_live`.
class JetStreamEngine {
 public:
  struct Options {
    std::string node;  // this node's name
    bus::Limits limits;
    double stale_after_seconds = 600;
  };

  // Loads the mirrors (blocking: at start). Throws nats::NatsError.
  JetStreamEngine(nats::Connection& connection, nats::Publisher& publisher,
                  nats::BlockingPool& pool, bus::Clock clock, const Options& options,
                  JetStreamDirectory::NodeLive node_live);
  // Every feed must be gone.
  ~JetStreamEngine();

  RecordLog& record_log() { return *log_; }
  Directory& directory() { return *directory_; }
  JetStreamRecordLog& jetstream_log() { return *log_; }

 private:
  std::unique_ptr<JetStreamRecordLog> log_;
  std::unique_ptr<JetStreamDirectory> directory_;
};

}  // namespace blender_bus::delivery::jetstream
