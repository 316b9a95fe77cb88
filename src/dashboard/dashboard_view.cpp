#include "dashboard/dashboard_view.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "auth/access_policy.hpp"

namespace blender_bus::dashboard {

namespace json = boost::json;

namespace {

json::object job_json(const bus::JobState& job) {
  json::object out;
  out["job_id"] = job.job_id;
  out["originator"] = job.originator;
  out["target"] = job.target;
  out["status"] = job.status;
  out["result"] = job.result;
  out["error"] = job.error;
  out["progress"] = job.progress ? json::value(*job.progress) : json::value(nullptr);
  out["progress_message"] =
      job.progress_message ? json::value(*job.progress_message) : json::value(nullptr);
  out["opened_at"] = job.opened_at;
  out["updated_at"] = job.updated_at;
  out["open"] = !bus::JobTracker::is_terminal(job.status);
  return out;
}

}  // namespace

DashboardView read_view(const auth::Principal& principal,
                        const delivery::embedded::BusManager& buses,
                        const delivery::embedded::PresenceLookup& presence) {
  std::vector<std::shared_ptr<delivery::embedded::UserMessageBus>> shown;
  if (auth::may_see_every_bus(principal)) {
    shown = buses.all().buses;
    std::sort(shown.begin(), shown.end(),
              [](const auto& a, const auto& b) { return a->user_id() < b->user_id(); });
  } else if (auto own = buses.find(principal.user_id)) {
    shown.push_back(std::move(own));
  }

  DashboardView view;
  json::array out;
  out.reserve(shown.size());
  for (const auto& bus : shown) {
    json::array clients;
    for (const auto& client : bus->clients(presence)) {
      json::object c = client.to_json();
      c.erase("last_seen_seconds_ago");
      clients.push_back(std::move(c));
    }
    json::array jobs;
    for (const auto& job : bus->latest_jobs(kJobsShown)) jobs.push_back(job_json(job));
    const bus::BusStats stats = bus->stats();
    view.sends += stats.sends;
    view.records += stats.records;
    out.push_back(json::object{
        {"user_id", bus->user_id()}, {"clients", std::move(clients)}, {"jobs", std::move(jobs)}});
  }
  view.state["buses"] = std::move(out);
  return view;
}

}  // namespace blender_bus::dashboard
