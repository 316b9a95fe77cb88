#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>

namespace blender_bus::json {

// Where `value` holds a number that JSON cannot write: Boost.JSON parses a
// literal beyond the double range (1e400) as an infinity. Returns its path
// in the schema validator's form ("payload.frames[2]"; "" for the value
// itself), or nullopt when every number is finite. One walk of the tree.
std::optional<std::string> find_non_finite(const boost::json::value& value);

}  // namespace blender_bus::json
