#pragma once

#include <memory>

#include "sharing/bus_memberships.hpp"
#include "sharing/shared_bus_storage.hpp"

namespace blender_bus::cli {

// The shared buses as a command-line tool holds them: BusMemberships over
// `store` (loaded from it now), on the system clock and libsodium's random
// bytes, with the default invitation lifetime. The caller initialized
// libsodium.
std::unique_ptr<sharing::BusMemberships> make_tool_memberships(sharing::SharedBusStorage& store);

}  // namespace blender_bus::cli
