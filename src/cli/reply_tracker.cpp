#include "cli/reply_tracker.hpp"

#include <algorithm>

#include "cli/exit_status.hpp"

namespace blender_bus::cli {

ReplyTracker::ReplyTracker(std::string job_id, std::vector<std::string> awaited)
    : job_id_(std::move(job_id)), awaited_(std::move(awaited)) {}

ReplyTracker::Seen ReplyTracker::observe(const JobUpdate& update) {
  if (update.job_id != job_id_) return Seen::other_job;
  if (!update.is_final()) return Seen::progress;
  if (complete()) return Seen::extra;
  if (!update.client_uuid.empty()) {
    const bool awaited =
        std::find(awaited_.begin(), awaited_.end(), update.client_uuid) != awaited_.end();
    if (!awaited || !answered_.insert(update.client_uuid).second) return Seen::extra;
  }
  finals_.push_back(update);
  return Seen::reply;
}

std::vector<std::string> ReplyTracker::unanswered() const {
  std::vector<std::string> out;
  if (complete()) return out;
  for (const auto& uuid : awaited_) {
    if (!answered_.contains(uuid)) out.push_back(uuid);
  }
  return out;
}

bool ReplyTracker::complete() const {
  return !awaited_.empty() && finals_.size() >= awaited_.size();
}

int ReplyTracker::exit_code() const {
  // A timeout wins: the caller did not get every answer it asked for.
  if (!complete()) return exit_status::timed_out;
  const bool all_completed = std::all_of(
      finals_.begin(), finals_.end(), [](const JobUpdate& u) { return u.status == "completed"; });
  return all_completed ? exit_status::ok : exit_status::failed;
}

}  // namespace blender_bus::cli
