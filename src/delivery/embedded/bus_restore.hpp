#pragma once

#include "delivery/embedded/bus_manager.hpp"
#include "store/bus_rows.hpp"

namespace blender_bus::delivery::embedded {

// Puts the durable state back on the buses at start: persistent clients
// (offline, unbound) with their inboxes, each user's sequence (moved
// StoreJournal::kSequenceGap ahead), open jobs.
void restore_buses(BusManager& buses, const store::BusSnapshot& snapshot);

}  // namespace blender_bus::delivery::embedded
