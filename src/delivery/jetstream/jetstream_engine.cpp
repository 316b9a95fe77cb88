#include "delivery/jetstream/jetstream_engine.hpp"

namespace blender_bus::delivery::jetstream {

JetStreamEngine::JetStreamEngine(nats::Connection& connection, nats::Publisher& publisher,
                                 nats::BlockingPool& pool, bus::Clock clock, const Options& options,
                                 JetStreamDirectory::NodeLive node_live) {
  // Each asks the other only once both exist (no call reaches them sooner).
  log_ = std::make_unique<JetStreamRecordLog>(connection, publisher, pool,
                                              [this](const BusId& bus, std::string_view uuid) {
                                                return directory_->find(bus, uuid).has_value();
                                              });
  JetStreamDirectory::Options directory_options;
  directory_options.node = options.node;
  directory_options.limits = options.limits;
  directory_options.stale_after_seconds = options.stale_after_seconds;
  directory_ = std::make_unique<JetStreamDirectory>(
      connection, publisher, pool, std::move(clock), directory_options, std::move(node_live),
      [this](const BusId& bus, std::string_view uuid) { return log_->counts(bus, uuid); });
}

JetStreamEngine::~JetStreamEngine() {
  directory_.reset();
  log_.reset();
}

}  // namespace blender_bus::delivery::jetstream
