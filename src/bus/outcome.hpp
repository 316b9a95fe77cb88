#pragma once

#include <boost/json/object.hpp>
#include <vector>

#include "bus/delivery.hpp"

namespace blender_bus::bus {

// What a bus operation answers: the tool result object, the records to push,
// and whether the call was refused for breaking a limit (nothing was registered
// or routed; the tools report it as an isError result).
struct Outcome {
  boost::json::object result;
  std::vector<Delivery> deliveries;
  bool rejected = false;
};

}  // namespace blender_bus::bus
