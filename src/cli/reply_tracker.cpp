#include "cli/reply_tracker.hpp"

#include <algorithm>

namespace blender_bus::cli {

ReplyTracker::ReplyTracker(std::string job_id, std::size_t expected)
    : job_id_(std::move(job_id)), expected_(expected) {}

ReplyTracker::Seen ReplyTracker::observe(const JobUpdate& update) {
  if (update.job_id != job_id_) return Seen::other_job;
  if (!update.is_final()) return Seen::progress;
  if (complete()) return Seen::extra;
  finals_.push_back(update);
  return Seen::reply;
}

bool ReplyTracker::complete() const {
  return expected_ > 0 && finals_.size() >= expected_;
}

int ReplyTracker::exit_code() const {
  // A timeout wins: the caller did not get every answer it asked for.
  if (!complete()) return kTimedOut;
  const bool all_completed = std::all_of(
      finals_.begin(), finals_.end(), [](const JobUpdate& u) { return u.status == "completed"; });
  return all_completed ? kCompleted : kFailed;
}

}  // namespace blender_bus::cli
