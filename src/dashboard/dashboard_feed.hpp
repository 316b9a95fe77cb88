#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "auth/request_authenticator.hpp"
#include "delivery/bus_service.hpp"
#include "tools/bus_access.hpp"
#include "transport/event_route.hpp"

namespace blender_bus::dashboard {

// One open dashboard's event stream (GET /ui/events). Each poll checks the
// bearer token again (a revoked or expired token ends the stream), reads the
// view, and gives:
//   event: state   data: DashboardView::state, when it differs from the last one sent
//   event: rates   data: {"time","sends_per_second","records_per_second"}
// The rates are the change of the buses' totals since the last poll.
class DashboardFeed : public transport::EventFeed {
 public:
  DashboardFeed(const auth::RequestAuthenticator& authenticator, std::string authorization,
                delivery::BusService& service, const tools::BusAccess& access);

  std::optional<std::string> poll() override;

 private:
  const auth::RequestAuthenticator& authenticator_;
  const std::string authorization_;
  delivery::BusService& service_;
  const tools::BusAccess& access_;
  std::string last_state_;
  std::optional<std::chrono::steady_clock::time_point> last_poll_;
  std::uint64_t last_sends_ = 0;
  std::uint64_t last_records_ = 0;
};

}  // namespace blender_bus::dashboard
