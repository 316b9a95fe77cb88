#include "dashboard/dashboard_view.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "auth/access_policy.hpp"
#include "bus/shared_bus_id.hpp"

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

DashboardView read_view(const auth::Principal& principal, delivery::BusService& service) {
  const delivery::Directory& directory = service.directory();
  std::vector<delivery::BusId> shown = directory.bus_ids();
  if (auth::may_see_every_bus(principal)) {
    std::sort(shown.begin(), shown.end());
  } else {
    const bool own = std::find(shown.begin(), shown.end(), principal.user_id) != shown.end();
    shown.clear();
    if (own) shown.push_back(principal.user_id);
  }

  DashboardView view;
  const std::optional<std::string> node = directory.node();
  json::array out;
  out.reserve(shown.size());
  for (const auto& bus : shown) {
    json::array clients;
    const bus::ClientSnapshot snapshot = directory.snapshot(bus);
    const auto feed_nodes =
        node ? directory.feed_nodes(bus) : std::unordered_map<std::string, std::string>{};
    for (const auto* bucket : {&snapshot.persistent, &snapshot.ephemeral}) {
      for (const auto& client : *bucket) {
        json::object c = client.to_json();
        c.erase("last_seen_seconds_ago");
        if (node) {
          auto held = feed_nodes.find(client.uuid);
          c["node"] = held != feed_nodes.end() ? json::value(held->second) : json::value(nullptr);
        }
        clients.push_back(std::move(c));
      }
    }
    json::array jobs;
    for (const auto& job : directory.latest_jobs(bus, kJobsShown)) jobs.push_back(job_json(job));
    const delivery::BusActivity activity = service.activity(bus);
    view.sends += activity.sends;
    view.records += activity.records;
    // "user_id" is the bus's key, which the page's actions send back; a
    // shared bus's key begins with a mark no reader should see, so its wire
    // id comes beside it.
    json::object entry{
        {"user_id", bus}, {"clients", std::move(clients)}, {"jobs", std::move(jobs)}};
    if (bus::is_shared_bus(bus)) entry["bus_id"] = std::string(bus::wire_bus_id(bus));
    out.push_back(std::move(entry));
  }
  view.state["buses"] = std::move(out);
  if (node) view.state["node"] = *node;
  return view;
}

}  // namespace blender_bus::dashboard
