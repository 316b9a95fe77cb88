#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "bus/client_info.hpp"
#include "bus/job_state.hpp"

namespace blender_bus::delivery::jetstream {

// The JSON values of the directory's buckets. Each parse answers nullopt for
// a value it cannot read (another version wrote it, or it is damaged): the
// mirror skips it and says so in the log.

// BUS_CLIENTS: a ClientInfo's stored fields plus its holder (the MCP session
// bound to it, a node-local id; empty when unbound):
// {"uuid","client_type","is_persistent","capabilities","group_id",
//  "connected_at","last_seen","label","holder"}.
std::string client_value(const bus::ClientInfo& info);
std::optional<bus::ClientInfo> parse_client_value(std::string_view text);

// BUS_PRESENCE: who holds a client's feed: {"node","holder","since"}.
struct PresenceValue {
  std::string node;
  std::string holder;
  double since = 0;
};
std::string presence_value(const PresenceValue& presence);
std::optional<PresenceValue> parse_presence_value(std::string_view text);

// BUS_JOBS: a job's last known state (open while its status is not
// terminal): {"job_id","originator","status","result","error","progress",
// "progress_message","target","opened_at","updated_at"}.
std::string job_value(const bus::JobState& job);
std::optional<bus::JobState> parse_job_value(std::string_view text);

}  // namespace blender_bus::delivery::jetstream
