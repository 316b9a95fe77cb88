#include "bus/job_tracker.hpp"

namespace blender_bus::bus {

JobTracker::JobTracker(std::size_t recent_capacity) : recent_capacity_(recent_capacity) {}

void JobTracker::remember(std::string job_id, std::string originator) {
  JobState state;
  state.job_id = job_id;
  state.originator = std::move(originator);
  state.version = ++version_;
  recent_.erase(job_id);
  open_.insert_or_assign(std::move(job_id), std::move(state));
}

std::optional<std::string> JobTracker::correlate(std::string_view job_id, std::string_view status) {
  auto it = open_.find(job_id);
  if (it == open_.end()) return std::nullopt;
  if (!is_terminal(status)) return it->second.originator;
  std::string originator = it->second.originator;
  JobState finished = std::move(it->second);
  open_.erase(it);
  keep_recent(std::move(finished));
  return originator;
}

void JobTracker::note(std::string_view job_id, std::string status, std::string result,
                      std::string error) {
  auto update = [&](JobState& s) {
    s.status = std::move(status);
    s.result = std::move(result);
    s.error = std::move(error);
    s.version = ++version_;
  };
  if (auto it = open_.find(job_id); it != open_.end()) {
    update(it->second);
    return;
  }
  JobState state;
  if (auto it = recent_.find(job_id); it != recent_.end()) state = std::move(it->second);
  state.job_id = std::string(job_id);
  update(state);
  keep_recent(std::move(state));
}

void JobTracker::keep_recent(JobState state) {
  if (recent_capacity_ == 0) return;
  recent_order_.emplace_back(state.job_id, state.version);
  std::string key = state.job_id;
  recent_.insert_or_assign(std::move(key), std::move(state));
  while (recent_.size() > recent_capacity_ || recent_order_.size() > 2 * recent_capacity_) {
    auto [id, version] = std::move(recent_order_.front());
    recent_order_.pop_front();
    auto it = recent_.find(id);
    if (it != recent_.end() && it->second.version == version) recent_.erase(it);
  }
}

std::optional<JobState> JobTracker::state(std::string_view job_id) const {
  if (auto it = open_.find(job_id); it != open_.end()) return it->second;
  if (auto it = recent_.find(job_id); it != recent_.end()) return it->second;
  return std::nullopt;
}

std::optional<std::string> JobTracker::originator(std::string_view job_id) const {
  auto it = open_.find(job_id);
  if (it == open_.end()) return std::nullopt;
  return it->second.originator;
}

std::vector<std::pair<std::string, std::string>> JobTracker::open_jobs() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(open_.size());
  for (const auto& [id, s] : open_) out.emplace_back(id, s.originator);
  return out;
}

bool JobTracker::is_terminal(std::string_view status) {
  return status == "completed" || status == "failed" || status == "cancelled";
}

}  // namespace blender_bus::bus
