#include "bus/job_tracker.hpp"

#include <algorithm>
#include <functional>

namespace blender_bus::bus {

JobTracker::JobTracker(std::size_t recent_capacity, std::size_t open_capacity)
    : recent_capacity_(recent_capacity), open_capacity_(std::max<std::size_t>(open_capacity, 1)) {}

std::vector<std::string> JobTracker::remember(std::string job_id, std::string originator,
                                              std::string target, double now) {
  JobState state;
  state.job_id = job_id;
  state.originator = std::move(originator);
  state.target = std::move(target);
  state.opened_at = now;
  state.version = ++version_;
  state.opened_version = state.version;
  recent_.erase(job_id);
  open_order_.emplace_back(job_id, state.version);
  open_.insert_or_assign(std::move(job_id), std::move(state));
  return trim_open();
}

std::vector<std::string> JobTracker::trim_open() {
  std::vector<std::string> forgotten;
  const auto is_current = [this](const std::pair<std::string, std::uint64_t>& entry) {
    auto it = open_.find(entry.first);
    return it != open_.end() && it->second.opened_version == entry.second;
  };
  while (open_.size() > open_capacity_ && !open_order_.empty()) {
    auto entry = std::move(open_order_.front());
    open_order_.pop_front();
    if (!is_current(entry)) continue;
    open_.erase(entry.first);
    forgotten.push_back(std::move(entry.first));
  }
  // Stale entries (jobs closed or reopened) are dropped now and then, so the
  // order stays proportional to the open jobs whatever the traffic.
  if (open_order_.size() > 2 * open_.size() + 64)
    std::erase_if(open_order_, std::not_fn(is_current));
  return forgotten;
}

void JobTracker::forget(std::string_view job_id) {
  // Its entry in open_order_ is stale from now on and skipped.
  if (auto it = open_.find(job_id); it != open_.end()) open_.erase(it);
}

void JobTracker::reopen(std::string job_id, std::string originator) {
  std::optional<JobState> last;
  if (auto it = recent_.find(job_id); it != recent_.end()) last = it->second;
  remember(job_id, std::move(originator));
  auto it = open_.find(job_id);
  if (!last || it == open_.end()) return;
  it->second.status = std::move(last->status);
  it->second.result = std::move(last->result);
  it->second.error = std::move(last->error);
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

void JobTracker::note(const JobUpdate& u, double now) {
  const std::string_view job_id = u.job_id;
  // Every field is the last update's: a status without progress clears it.
  auto update = [&](JobState& s) {
    s.status = u.status;
    s.result = u.result;
    s.error = u.error;
    s.progress = u.progress;
    s.progress_message = u.progress_message;
    s.updated_at = now;
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

std::vector<JobState> JobTracker::latest(std::size_t limit) const {
  std::vector<JobState> out;
  // Newest entries of each order that are still current (stale ones name a
  // job that was closed, reopened or updated since).
  const auto take = [&](const auto& order, const Map& jobs, bool opened) {
    std::size_t taken = 0;
    for (auto it = order.rbegin(); it != order.rend() && taken < limit; ++it) {
      auto job = jobs.find(it->first);
      if (job == jobs.end()) continue;
      if ((opened ? job->second.opened_version : job->second.version) != it->second) continue;
      out.push_back(job->second);
      ++taken;
    }
  };
  take(open_order_, open_, true);
  take(recent_order_, recent_, false);
  return out;
}

bool JobTracker::is_terminal(std::string_view status) {
  return status == "completed" || status == "failed" || status == "cancelled";
}

}  // namespace blender_bus::bus
