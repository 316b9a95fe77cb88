#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>

#include "auth/request_authenticator.hpp"
#include "delivery/bus_service.hpp"
#include "tools/bus_access.hpp"
#include "transport/event_route.hpp"
#include "transport/route_handler.hpp"

namespace blender_bus::dashboard {

// How often an open dashboard's stream reads the buses.
inline constexpr std::chrono::milliseconds kFeedInterval{1000};

// The page (GET /ui/ and its files, GET / and /ui redirect there), served
// with a strict Content-Security-Policy; anyone may load it, it holds no data.
transport::RouteHandler make_page_route();

// GET /ui/events: the dashboard's stream (DashboardFeed) for a bearer token.
transport::EventRoute make_events_route(const auth::RequestAuthenticator& authenticator,
                                        delivery::BusService& service,
                                        const tools::BusAccess& access);

// The dashboard's actions, POST with a bearer token and a JSON body (no
// cookie is involved, so another site's page cannot make the browser send
// them: CSRF-safe). On the caller's own bus, any bus for an admin, or a
// shared bus the caller is a member of, through the one check as the tools
// would (tools::BusAccess: a non-member gets 404 "bus not found", a refusal
// 403 with its reason; only one's own clients may be removed there):
//   /ui/api/remove-client {"user_id","client_uuid"}: an offline client leaves
//     the bus (as blender_unregister_client), 409 while it is online;
//   /ui/api/cancel-job {"user_id","job_id"}: an open job gets a `cancelled`
//     update, sent to its originator as blender_job_update sends it.
// Both answer {"status":"ok"}. They settle on `executor`.
transport::RouteHandler make_action_route(const auth::RequestAuthenticator& authenticator,
                                          delivery::BusService& service,
                                          const tools::BusAccess& access,
                                          boost::asio::any_io_executor executor);

}  // namespace blender_bus::dashboard
