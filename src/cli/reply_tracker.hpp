#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "cli/bus_record.hpp"

namespace blender_bus::cli {

// What `send` waits for: one final update per target of its job. Updates do
// not say which target wrote them (the bus sends them as the server), so
// replies are counted, not matched to targets.
class ReplyTracker {
 public:
  ReplyTracker(std::string job_id, std::size_t expected);

  enum class Seen { other_job, progress, reply, extra };
  // `extra`: a final update beyond the expected count (kept, not counted).
  Seen observe(const JobUpdate& update);

  std::size_t expected() const { return expected_; }
  std::size_t replies() const { return finals_.size(); }
  const std::vector<JobUpdate>& finals() const { return finals_; }
  // Every target answered. Never true with no targets: that waits for the timeout.
  bool complete() const;

  // send's exit status: 0 all completed, 1 any failed or cancelled, 2 timed out.
  static constexpr int kCompleted = 0;
  static constexpr int kFailed = 1;
  static constexpr int kTimedOut = 2;
  int exit_code() const;

 private:
  std::string job_id_;
  std::size_t expected_;
  std::vector<JobUpdate> finals_;
};

}  // namespace blender_bus::cli
