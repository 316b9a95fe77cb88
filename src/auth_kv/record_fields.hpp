#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace blender_bus::auth_kv {

// Reading and writing the JSON records the OAuth stores keep in the KV. A
// value that is not what a node writes reads as nullopt: the caller skips
// that key rather than failing every request over it.

std::optional<boost::json::object> parse_record(std::string_view text);

std::optional<std::string> string_field(const boost::json::object& record, std::string_view name);
std::optional<std::int64_t> int_field(const boost::json::object& record, std::string_view name);
std::optional<double> double_field(const boost::json::object& record, std::string_view name);
// Only the strings of an array field.
std::optional<std::vector<std::string>> string_list_field(const boost::json::object& record,
                                                          std::string_view name);

boost::json::array string_array(const std::vector<std::string>& values);
// null when absent (a time that has not happened).
boost::json::value int_or_null(const std::optional<std::int64_t>& value);

}  // namespace blender_bus::auth_kv
