#pragma once

#include <CLI/CLI.hpp>

namespace blender_bus::cli {

// `cancel JOB_ID [--target uuid:X|group:X|type:X|broadcast] [--timeout S]`:
// sends {"message_type":"job_cancel","job_id":JOB_ID} to the target (default
// type:blender: every Blender client of the bus; only the one holding the job
// answers) and waits, through blender_job_status, for the job's next update.
// The cancel carries no from_uuid, so the job's updates still go to whoever
// sent it. Exit status: 0 cancelled, 1 not cancelled (it is running, and a
// running Blender script cannot be stopped; or it had finished), 2 no answer
// within the timeout, 3 could not send (nobody at the target).
void add_cancel_command(CLI::App& app);

}  // namespace blender_bus::cli
