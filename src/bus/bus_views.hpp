#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "bus/client_info.hpp"

namespace blender_bus::bus {

// A bus's clients in its two buckets, each in bus order, with liveness filled.
struct ClientSnapshot {
  std::vector<ClientInfo> persistent;
  std::vector<ClientInfo> ephemeral;
};

// A bus's counts.
struct BusStats {
  std::size_t persistent_count = 0;
  std::size_t ephemeral_count = 0;
  std::size_t pending_jobs = 0;
  std::uint64_t dropped_records = 0;  // evicted undelivered, over the bus's life
  std::size_t pending_records = 0;    // waiting in inboxes now
  std::uint64_t sends = 0;            // blender_send_message calls, over the bus's life
  std::uint64_t records = 0;          // records put in inboxes, over the bus's life
};

// The JSON views of a bus (SPEC §5, §10), in the original's key order.
// blender_list_available_clients: {"status":"ok","user_id","persistent","ephemeral"}.
boost::json::object list_clients_view(std::string_view user_id, const ClientSnapshot& clients);
// Resource blender://bus/clients: {"user_id","persistent","ephemeral"}.
boost::json::object clients_resource_view(std::string_view user_id, const ClientSnapshot& clients);
// Resource blender://bus/stats: {"user_id","persistent_count","ephemeral_count",
// "pending_jobs_for_user"}, then "dropped_records","pending_records".
boost::json::object stats_resource_view(std::string_view user_id, const BusStats& stats);

}  // namespace blender_bus::bus
