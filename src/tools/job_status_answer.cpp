#include "tools/job_status_answer.hpp"

namespace blender_bus::tools {

boost::json::object job_status_answer(const delivery::JobStatus& status) {
  const bus::JobState& state = status.state;
  boost::json::object out;
  out["status"] = "ok";
  out["job_id"] = state.job_id;
  out["job_status"] = state.status;
  out["result"] = state.result;
  out["error"] = state.error;
  if (state.originator.empty()) {
    out["originator"] = nullptr;
  } else {
    out["originator"] = state.originator;
  }
  out["open"] = status.open;
  if (state.progress) {
    out["progress"] = *state.progress;
  } else {
    out["progress"] = nullptr;
  }
  if (state.progress_message) {
    out["progress_message"] = *state.progress_message;
  } else {
    out["progress_message"] = nullptr;
  }
  return out;
}

}  // namespace blender_bus::tools
