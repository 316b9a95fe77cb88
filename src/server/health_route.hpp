#pragma once

#include "delivery/embedded/bus_manager.hpp"
#include "transport/route_handler.hpp"

namespace blender_bus::server {

// GET /health -> {"status":"healthy","buses":N,"clients":M}. No user names on
// an unauthenticated route (SPEC §2, beyond the original).
transport::RouteHandler make_health_route(const delivery::embedded::BusManager& buses);

}  // namespace blender_bus::server
