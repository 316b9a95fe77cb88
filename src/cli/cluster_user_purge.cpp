#include "cli/cluster_user_purge.hpp"

#include <chrono>

#include "bus/shared_bus_id.hpp"
#include "cli/tool_memberships.hpp"
#include "cluster/blocking_call.hpp"
#include "delivery/jetstream/cluster_assets.hpp"
#include "delivery/jetstream/cluster_keys.hpp"
#include "delivery/jetstream/jetstream_engine.hpp"
#include "nats/kv_bucket.hpp"
#include "nats/stream_admin.hpp"
#include "sharing_kv/kv_shared_bus_store.hpp"
#include "sharing_kv/sharing_bucket.hpp"

namespace blender_bus::cli {

namespace js = delivery::jetstream;

namespace {

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The user's clients on a shared bus that stays (another member owns it):
// off the directory, their records and cursors gone, as a node's
// BusService::remove_clients.
void remove_clients(cluster::Cluster& cluster, js::JetStreamEngine& engine, const std::string& bus,
                    const std::vector<std::string>& client_uuids) {
  nats::StreamAdmin records(cluster.connection(), js::kRecordStream);
  nats::KvBucket cursors = cluster.bucket(js::kCursorsBucket);
  for (const std::string& uuid : client_uuids) {
    cluster::blocking_call(engine.directory().unregister_client(bus, uuid));
    records.purge(js::record_subject(bus, uuid));
    const std::string key = js::item_key(bus, uuid);
    if (cursors.get_now(key)) cluster::blocking_call(cursors.put(key, "0"));
  }
}

}  // namespace

std::vector<nats::StreamSpec> user_purge_streams() {
  return {js::records_stream_spec(js::AssetOptions{})};
}

std::vector<nats::KvSpec> user_purge_buckets() {
  std::vector<nats::KvSpec> buckets = js::delivery_buckets(js::AssetOptions{});
  buckets.push_back(sharing_kv::sharing_bucket());
  return buckets;
}

void purge_user_from_cluster(cluster::Cluster& cluster, const std::string& username) {
  // A tool, not a node: no presence names it, so none is taken for stale.
  js::JetStreamEngine engine(cluster.connection(), cluster.publisher(), cluster.pool(), unix_now,
                             js::JetStreamEngine::Options{}, {});
  engine.directory().purge_bus(username);
  engine.record_log().purge_bus(username);

  sharing_kv::KvSharedBusStore store(cluster);
  for (const sharing::LeftBus& left : make_tool_memberships(store)->remove_user(username)) {
    const std::string bus = bus::shared_bus_key(left.bus_id);
    if (left.archived) {
      engine.directory().purge_bus(bus);
      engine.record_log().purge_bus(bus);
    } else if (!left.client_uuids.empty()) {
      remove_clients(cluster, engine, bus, left.client_uuids);
    }
  }
}

}  // namespace blender_bus::cli
