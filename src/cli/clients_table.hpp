#pragma once

#include <boost/json.hpp>
#include <string>

namespace blender_bus::cli {

// blender_list_available_clients' answer as an aligned text table, persistent
// clients first. `now_s` (Unix seconds) turns last_seen into an age.
std::string format_clients_table(const boost::json::object& listing, double now_s);

}  // namespace blender_bus::cli
