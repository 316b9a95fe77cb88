#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace blender_bus::bus {

// A job's last known update, for blender_job_status. `version` grows with
// every change, so a waiter can tell that something happened.
struct JobState {
  std::string job_id;
  std::string originator;  // empty when the job was never opened with from_uuid
  std::string status = "pending";
  std::string result;
  std::string error;
  std::optional<double> progress;  // from the last update, when it carried one
  std::optional<std::string> progress_message;
  std::string target;     // the send's target as "uuid:X", "group:X", "type:X" or "broadcast"
  double opened_at = 0;   // Unix seconds of the send that opened it (0: not known)
  double updated_at = 0;  // Unix seconds of its last update (0: none yet)
  std::uint64_t version = 0;
  std::uint64_t opened_version = 0;  // `version` when it was opened (JobTracker's order)
};

}  // namespace blender_bus::bus
