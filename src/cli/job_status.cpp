#include "cli/job_status.hpp"

#include "cli/json_field.hpp"

namespace blender_bus::cli {

JobStatus JobStatus::from_answer(const boost::json::value& answer) {
  JobStatus out;
  const auto* object = answer.if_object();
  if (object == nullptr || string_field(*object, "status") != "ok") return out;
  out.found = true;
  out.status = string_field(*object, "job_status");
  out.result = string_field(*object, "result");
  out.error = string_field(*object, "error");
  if (const auto* progress = object->if_contains("progress"); progress && progress->is_number()) {
    out.progress = progress->to_number<double>();
  }
  out.progress_message = string_field(*object, "progress_message");
  return out;
}

bool JobStatus::is_final() const {
  return status == "completed" || status == "failed" || status == "cancelled";
}

}  // namespace blender_bus::cli
