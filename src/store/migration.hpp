#pragma once

#include <string_view>

namespace blender_bus::store {

// One step of a component's schema. Versions start at 1 and increase by one;
// a step is applied once, inside a transaction, and never edited afterwards
// (add a new step instead).
struct Migration {
  int version;
  std::string_view sql;  // one or more statements
};

}  // namespace blender_bus::store
