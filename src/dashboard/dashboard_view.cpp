#include "dashboard/dashboard_view.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <unordered_map>
#include <variant>

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

DashboardView read_view(const auth::Principal& principal, delivery::BusService& service,
                        const tools::BusAccess& access) {
  const delivery::Directory& directory = service.directory();
  // The principal's shared buses, each through the one check (a member of
  // any role may list a bus's clients), by name.
  std::vector<delivery::BusId> own_shared;
  std::unordered_map<delivery::BusId, sharing::BusView> membership;
  if (const sharing::BusMemberships* memberships = access.memberships()) {
    for (sharing::BusView& bus : memberships->buses_of(principal.user_id)) {
      auto checked = access.check(principal.user_id, bus.bus_id, sharing::BusAction::list_clients);
      const auto* grant = std::get_if<tools::BusGrant>(&checked);
      if (!grant) continue;
      own_shared.push_back(grant->bus);
      membership.emplace(grant->bus, std::move(bus));
    }
  }
  std::vector<delivery::BusId> shown = directory.bus_ids();
  if (auth::may_see_every_bus(principal)) {
    for (const auto& bus : own_shared) {
      if (std::find(shown.begin(), shown.end(), bus) == shown.end()) shown.push_back(bus);
    }
    std::sort(shown.begin(), shown.end());
  } else {
    // The personal bus first (once a client has registered on it), then the
    // shared ones: one with no client yet is shown too, as its members see
    // it in blender_bus_list.
    const bool own = std::find(shown.begin(), shown.end(), principal.user_id) != shown.end();
    shown.clear();
    if (own) shown.push_back(principal.user_id);
    shown.insert(shown.end(), own_shared.begin(), own_shared.end());
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
    if (auto member = membership.find(bus); member != membership.end()) {
      entry["name"] = member->second.name;
      entry["role"] = sharing::role_name(member->second.role);
    }
    out.push_back(std::move(entry));
  }
  view.state["buses"] = std::move(out);
  if (node) view.state["node"] = *node;
  return view;
}

}  // namespace blender_bus::dashboard
