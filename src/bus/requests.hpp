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
};

struct SendRequest {
  std::optional<std::string> target_uuid = std::nullopt;
  std::optional<std::string> group_id = std::nullopt;
  std::optional<std::string> client_type = std::nullopt;
  std::string priority = "info";  // any SPEC §6 spelling
  std::optional<std::string> from_uuid = std::nullopt;
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
};

}  // namespace blender_bus::bus
