#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bus/client_info.hpp"

#include "bus/delivery.hpp"

namespace blender_bus::bus {

// What a bus operation answers: the tool result object, the records to push,
// and whether the call was refused for breaking a limit (nothing was registered
// or routed; the tools report it as an isError result).
struct Outcome {
  boost::json::object result;
  std::vector<Delivery> deliveries;
  bool rejected = false;

  // What changed that a durable store must keep (SPEC §9).
  std::optional<ClientInfo> client;           // registered or updated (register)
  std::optional<std::string> removed_client;  // a persistent client left (unregister)
  // A registration took its uuid away from this other session (a takeover);
  // that session's stream has a `client_displaced` record to read.
  std::optional<std::string> displaced_session;
  struct JobChange {
    std::string job_id;
    std::optional<std::string> originator;  // set: opened or taken over; nullopt: closed
  };
  std::vector<JobChange> jobs;
};

}  // namespace blender_bus::bus
