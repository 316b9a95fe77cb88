#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>

namespace blender_bus::cli {

// A record the bus forwarded (SPEC §7): the params of a
// `notifications/message` on logger `_message_bus`.
struct BusRecord {
  std::string level;
  boost::json::object data;  // user_id, from_uuid, target_uuid, routing, payload, job_id, …

  // nullopt for other loggers or a malformed record.
  static std::optional<BusRecord> from_params(const boost::json::object& params);
};

// A job update as the bus wraps it (SPEC §8): the record's payload is
// {"kind":"job_update","job_id","status","result","error"}, from the
// newer add-on also "progress" (0 to 1) and "progress_message", and (beyond)
// the updating client's "client_uuid".
struct JobUpdate {
  std::string job_id;
  std::string status;
  std::string result;
  std::string error;
  std::optional<double> progress = std::nullopt;
  std::string progress_message = {};
  std::string client_uuid = {};  // "" when the server did not name the client

  // nullopt when the record is not a job update.
  static std::optional<JobUpdate> from_record(const BusRecord& record);
  // completed, failed and cancelled end a job (SPEC §8).
  bool is_final() const;
  // "40% frame 4 of 10", "40%", "frame 4 of 10", or "" when it reports neither.
  std::string progress_text() const;
};

}  // namespace blender_bus::cli
