#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bus/client_info.hpp"
#include "bus/routing.hpp"
#include "delivery/embedded/delivery.hpp"
#include "delivery/embedded/inbox_read.hpp"

namespace blender_bus::delivery::embedded {

// What a bus operation answers: the tool result object, the records to push,
// and whether the call was refused for breaking a limit (nothing was registered
// or routed; the tools report it as an isError result).
struct Outcome {
  boost::json::object result;
  std::vector<Delivery> deliveries;
  bool rejected = false;
  // The deliveries wait, invisible to every reader, for the store to commit
  // what this outcome changed: UserMessageBus::release shows them, withdraw
  // removes them (SPEC §9 and DeliveryPolicy::hold_until_stored).
  bool held = false;

  // What changed that a durable store must keep (SPEC §9).
  std::optional<bus::ClientInfo> client;  // registered or updated (register)
  // A persistent client left (unregister); also an unknown uuid, which the
  // store may still hold when an earlier unregistration failed to commit.
  std::optional<std::string> removed_client;
  // A registration took its uuid away from this other session (a takeover);
  // that session's stream has a `client_displaced` record to read.
  std::optional<std::string> displaced_session;
  // How a send picked its recipients (send only; for metrics).
  std::optional<bus::RoutingMode> routing;
  struct JobChange {
    std::string job_id;
    std::optional<std::string> originator;  // set: opened or taken over; nullopt: closed
    // What withdraw() puts back: the originator a take-over replaced, or the
    // one a close removed. Empty: nothing (a job forgotten to stay within the
    // open-jobs bound stays forgotten).
    std::string previous_originator;
  };
  std::vector<JobChange> jobs;
  // Delivered records evicted from the user's inboxes to stay within the
  // user's inbox quota: the store forgets them too.
  std::vector<CursorUpdate> cursors;

  // What withdraw() needs to undo a registration: the client's registration
  // before an update (nullopt: the registration created it), and the slot it
  // went to (a client removed and registered again since is left alone).
  std::optional<bus::ClientInfo> replaced_client;
  std::uint64_t client_slot = 0;
};

}  // namespace blender_bus::delivery::embedded
