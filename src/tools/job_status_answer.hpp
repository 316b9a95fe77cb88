#pragma once

#include <boost/json.hpp>

#include "delivery/bus_service.hpp"

namespace blender_bus::tools {

// What blender_job_status answers for a known job: {"status":"ok","job_id",
// "job_status","result","error","originator","open","progress",
// "progress_message"} (null for what the job never had). A task of the tasks
// extension ends with the same answer.
boost::json::object job_status_answer(const delivery::JobStatus& status);

}  // namespace blender_bus::tools
