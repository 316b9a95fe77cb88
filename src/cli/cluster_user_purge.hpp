#pragma once

#include <string>
#include <vector>

#include "cluster/cluster.hpp"
#include "nats/kv_spec.hpp"
#include "nats/stream_spec.hpp"

namespace blender_bus::cli {

// What a user's deletion takes out of a cluster, done by `user del --cluster`
// itself so that it holds with no node running: their bus in the JetStream
// engine (records, clients, presence, open jobs, cursors: the directory's and
// the record log's purge_bus, as a node's BusService::forget_user), and their
// shared buses (BusMemberships::remove_user over BUS_SHARING: memberships
// gone, ownership passed on or the bus archived, an archived bus's records
// and clients purged, their clients on a bus that stays unregistered with
// their records). A running node does the same on hearing of the deletion;
// each step finds nothing left to do the second time.
//
// Cost: loading the mirrors of BUS_CLIENTS, BUS_PRESENCE, BUS_JOBS,
// BUS_CURSORS and BUS_SHARING (one message per key; every bus's, since a
// mirror is of a whole bucket), then a stream purge per bus and a purge
// marker per key of the user. Blocking. Throws nats::NatsError.
void purge_user_from_cluster(cluster::Cluster& cluster, const std::string& username);

// The streams and buckets it reads and writes (the engine's and BUS_SHARING),
// as the nodes provision them by default.
std::vector<nats::StreamSpec> user_purge_streams();
std::vector<nats::KvSpec> user_purge_buckets();

}  // namespace blender_bus::cli
