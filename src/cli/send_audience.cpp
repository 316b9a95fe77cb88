#include "cli/send_audience.hpp"

#include <string_view>

#include "cli/json_field.hpp"

namespace blender_bus::cli {

namespace json = boost::json;

namespace {

bool has_capability(const json::object& client, std::string_view capability) {
  const auto* list = client.if_contains("capabilities");
  if (!list || !list->is_array()) return false;
  for (const auto& c : list->as_array()) {
    if (c.is_string() && c.as_string() == capability) return true;
  }
  return false;
}

}  // namespace

SendAudience::SendAudience(const std::vector<std::string>& targets, const json::object& listing,
                           bool only_job_runners) {
  for (const char* bucket : {"persistent", "ephemeral"}) {
    const auto* clients = listing.if_contains(bucket);
    if (!clients || !clients->is_array()) continue;
    for (const auto& entry : clients->as_array()) {
      if (!entry.is_object()) continue;
      const auto& client = entry.as_object();
      known_[string_field(client, "uuid")] =
          Known{string_field(client, "group_id"), has_capability(client, kRunsJobs)};
    }
  }
  for (const auto& uuid : targets) {
    const auto it = known_.find(uuid);
    if (only_job_runners && it != known_.end() && !it->second.runs_jobs) {
      ++skipped_;
      continue;
    }
    awaited_.push_back(uuid);
  }
}

std::string SendAudience::label(const std::string& uuid) const {
  const auto it = known_.find(uuid);
  if (it == known_.end() || it->second.group_id.empty()) return uuid;
  return uuid + " (group " + it->second.group_id + ")";
}

}  // namespace blender_bus::cli
