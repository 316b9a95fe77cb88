#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>

namespace blender_bus::cli {

// A job's last known state as blender_job_status answers it:
// {"status":"ok","job_id","job_status","result","error",…,"progress","progress_message"}
// or {"status":"error","error":"job_not_found"} (found = false).
struct JobStatus {
  bool found = false;
  std::string status;  // job_status: running, completed, …
  std::string result;
  std::string error;
  std::optional<double> progress;
  std::string progress_message;

  static JobStatus from_answer(const boost::json::value& answer);
  // completed, failed and cancelled end a job (SPEC §8).
  bool is_final() const;
  bool operator==(const JobStatus&) const = default;
};

}  // namespace blender_bus::cli
