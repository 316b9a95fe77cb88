#pragma once

#include "cluster/cluster.hpp"
#include "delivery/directory.hpp"
#include "transport/route_handler.hpp"

namespace blender_bus::server {

// GET /health -> {"status":"healthy","buses":N,"clients":M}, read through the
// Directory (a cluster node counts the whole cluster's, from its mirror). No
// user names on an unauthenticated route (SPEC §2, beyond the original).
//
// A cluster node adds "node":NAME and "cluster":{"nats":"connected",
// "server":URL,"jetstream":true,"replicas":R,"nodes":[live node names]}
// (plus "jetstream_error" when JetStream does not store). While NATS is not
// connected or JetStream does not store, the node cannot log anyone in or
// deliver: "status" is "degraded" with 503, so that a load balancer sends
// clients to another node. Read from memory (no request to NATS).
transport::RouteHandler make_health_route(const delivery::Directory& directory,
                                          const cluster::Cluster* cluster = nullptr);

}  // namespace blender_bus::server
