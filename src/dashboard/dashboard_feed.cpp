#include "dashboard/dashboard_feed.hpp"

#include <boost/json.hpp>

#include "auth/access_policy.hpp"
#include "dashboard/dashboard_view.hpp"
#include "json/serializer.hpp"

namespace blender_bus::dashboard {

namespace {

void append_event(std::string& out, std::string_view name, std::string_view data) {
  out += "event: ";
  out += name;
  out += "\ndata: ";
  out += data;  // serialized JSON: no newline
  out += "\n\n";
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

DashboardFeed::DashboardFeed(const auth::RequestAuthenticator& authenticator,
                             std::string authorization, delivery::BusService& service,
                             const tools::BusAccess& access)
    : authenticator_(authenticator),
      authorization_(std::move(authorization)),
      service_(service),
      access_(access) {}

std::optional<std::string> DashboardFeed::poll() {
  auth::AuthOutcome who = authenticator_.authenticate(authorization_);
  const auto* principal = std::get_if<auth::Principal>(&who);
  if (!principal || !auth::may_use_bus(*principal)) return std::nullopt;

  const DashboardView view = read_view(*principal, service_, access_);
  std::string out;
  std::string state = blender_bus::json::to_text(view.state);
  if (state != last_state_) {
    append_event(out, "state", state);
    last_state_ = std::move(state);
  }
  const auto now = std::chrono::steady_clock::now();
  double sends = 0, records = 0;
  if (last_poll_) {
    const double seconds = std::chrono::duration<double>(now - *last_poll_).count();
    if (seconds > 0) {
      // A bus removed meanwhile takes its totals along: a rate is never negative.
      sends = view.sends >= last_sends_ ? (view.sends - last_sends_) / seconds : 0;
      records = view.records >= last_records_ ? (view.records - last_records_) / seconds : 0;
    }
  }
  last_poll_ = now;
  last_sends_ = view.sends;
  last_records_ = view.records;
  append_event(
      out, "rates",
      blender_bus::json::to_text(boost::json::object{
          {"time", unix_now()}, {"sends_per_second", sends}, {"records_per_second", records}}));
  return out;
}

}  // namespace blender_bus::dashboard
