#pragma once

#include <optional>
#include <string>
#include <vector>

namespace blender_bus::bus {

// The arguments of the bus operations, as the tools decoded them (SPEC §5).

struct Registration {
  std::string client_uuid;
  std::string client_type;
  bool is_persistent = false;
  std::vector<std::string> capabilities;
  std::optional<std::string> group_id = std::nullopt;
  std::string session_id;  // the calling MCP session; empty leaves a binding as is
  // The newer add-on's human name for the machine (beyond the seven keys).
  std::optional<std::string> label = std::nullopt;
  // The calling user, named by a shared bus's records (a takeover's
  // client_displaced notice); empty: the bus's own user (a personal bus).
  std::string user_id = {};
};

struct SendRequest {
  std::optional<std::string> target_uuid = std::nullopt;
  std::optional<std::string> group_id = std::nullopt;
  std::optional<std::string> client_type = std::nullopt;
  std::string priority = "info";  // any SPEC §6 spelling
  std::optional<std::string> from_uuid = std::nullopt;
  // The calling user, named by the records of a shared bus ("user_id") and
  // in its server origin; empty: the bus's own user (a personal bus).
  std::string user_id = {};
};

struct JobUpdate {
  std::string job_id;
  std::string status;
  std::string result;
  std::string error;
  // The newer add-on's progress report: a fraction from 0 to 1 (the tool's
  // schema checks the range) and a text; both passed through when given.
  std::optional<double> progress = std::nullopt;
  std::optional<std::string> progress_message = std::nullopt;
  std::string session_id = {};  // the calling MCP session: its client is named in the record
  std::string user_id = {};     // the calling user, as SendRequest::user_id
};

}  // namespace blender_bus::bus
