#pragma once

#include <cstddef>

#include "delivery/embedded/inbox.hpp"

namespace blender_bus::delivery::embedded {

// How a bus keeps what it delivers (SPEC §9): inbox bounds, when a silent
// persistent client is called stale, and how many finished jobs it remembers
// for blender_job_status.
struct DeliveryPolicy {
  InboxLimits inbox;
  double stale_after_seconds = 600;
  std::size_t recent_jobs = 1024;
  // Open jobs per user. Every send with from_uuid opens one, and a job that is
  // never answered would stay forever: past this, the oldest are forgotten (an
  // update for one then broadcasts, as for any unknown job).
  std::size_t open_jobs = 65536;
  // Records of a change the store must keep (a record for a persistent
  // client, a job opened or closed) are invisible until the store has
  // committed it: a send answered with an error reaches nobody. Set when a
  // store is kept; without one nothing waits.
  bool hold_until_stored = false;
};

}  // namespace blender_bus::delivery::embedded
