#pragma once

#include <string>

namespace blender_bus::delivery {

// The name of one bus, the unit of isolation every port call is scoped to.
// A user's personal bus is named by the user id (every wire shape says
// "user_id" for it); shared buses have other ids. Nothing of one bus is ever
// visible on another.
using BusId = std::string;

}  // namespace blender_bus::delivery
