#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

namespace blender_bus::cli {

// The string at `key`, or "" when it is absent or not a string: the client
// reads server answers and files leniently and checks what it needs itself.
std::string string_field(const boost::json::object& object, std::string_view key);

}  // namespace blender_bus::cli
