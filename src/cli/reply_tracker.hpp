#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "cli/bus_record.hpp"

namespace blender_bus::cli {

// What `send` waits for: one final update of its job from each awaited
// client. An update names its client (the payload's client_uuid); one that
// names none (a server that does not say) counts for whichever client has not
// answered yet.
class ReplyTracker {
 public:
  ReplyTracker(std::string job_id, std::vector<std::string> awaited);

  enum class Seen { other_job, progress, reply, extra };
  // `extra`: a final update from a client not awaited or already counted
  // (kept out of the count).
  Seen observe(const JobUpdate& update);

  std::size_t expected() const { return awaited_.size(); }
  std::size_t replies() const { return finals_.size(); }
  const std::vector<JobUpdate>& finals() const { return finals_; }
  // The awaited clients that have not answered; empty once complete. (An
  // update that names no client answers no one in particular: its sender
  // stays listed.)
  std::vector<std::string> unanswered() const;
  // Every awaited client answered. Never true with none awaited.
  bool complete() const;

  // send's exit status (cli/exit_status.hpp): 0 all completed, 1 any failed
  // or cancelled, 2 timed out.
  int exit_code() const;

 private:
  std::string job_id_;
  std::vector<std::string> awaited_;
  std::set<std::string> answered_;
  std::vector<JobUpdate> finals_;
};

}  // namespace blender_bus::cli
