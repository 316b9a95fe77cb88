#pragma once

#include <boost/json/object.hpp>
#include <cstdint>

#include "auth/principal.hpp"
#include "delivery/bus_service.hpp"
#include "tools/bus_access.hpp"

namespace blender_bus::dashboard {

// What the dashboard shows one principal, read from the buses: their own
// bus and the shared buses they are a member of, or every bus for someone
// who may see them all (auth::may_see_every_bus).
struct DashboardView {
  // {"buses":[{"user_id","clients":[ClientInfo…],"jobs":[job…]}…]}, buses by
  // user id; a client as ClientInfo's wire shape without
  // last_seen_seconds_ago (the page counts from last_seen, so that the state
  // changes only when something happened); a job as {"job_id","originator",
  // "target","status","result","error","progress","progress_message",
  // "opened_at","updated_at","open"}, open ones first, newest first.
  // A shared bus also has "bus_id" (its wire id: "user_id" is its internal
  // key, which the page's actions send back), and, for its members, "name"
  // and "role".
  // On a cluster node the state also names the node serving the page
  // ("node") and each client the node holding its feed ("node", null while
  // it is offline); a single server has neither.
  boost::json::object state;
  // Over the buses shown, since each began.
  std::uint64_t sends = 0;
  std::uint64_t records = 0;
};

// Jobs listed per bus: the open ones and as many recent ones.
inline constexpr std::size_t kJobsShown = 50;

// Read through the service's ports (a cluster node shows the cluster's buses).
DashboardView read_view(const auth::Principal& principal, delivery::BusService& service,
                        const tools::BusAccess& access);

}  // namespace blender_bus::dashboard
