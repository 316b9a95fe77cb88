#include "bus/job_tracker.hpp"

namespace blender_bus::bus {

void JobTracker::remember(std::string job_id, std::string originator) {
  jobs_.insert_or_assign(std::move(job_id), std::move(originator));
}

std::optional<std::string> JobTracker::correlate(std::string_view job_id, std::string_view status) {
  auto it = jobs_.find(job_id);
  if (it == jobs_.end()) return std::nullopt;
  if (!is_terminal(status)) return it->second;
  std::string originator = std::move(it->second);
  jobs_.erase(it);
  return originator;
}

std::optional<std::string> JobTracker::originator(std::string_view job_id) const {
  auto it = jobs_.find(job_id);
  if (it == jobs_.end()) return std::nullopt;
  return it->second;
}

bool JobTracker::is_terminal(std::string_view status) {
  return status == "completed" || status == "failed" || status == "cancelled";
}

}  // namespace blender_bus::bus
