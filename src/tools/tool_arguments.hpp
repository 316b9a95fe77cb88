#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace blender_bus::tools {

// Readers for tool arguments the dispatcher has already checked against the
// tool's inputSchema, so a type mismatch here is a programming error (throws).

// A required string.
std::string string_arg(const boost::json::object& arguments, std::string_view name);
// An optional string; absent or null -> fallback.
std::string string_arg_or(const boost::json::object& arguments, std::string_view name,
                          std::string fallback);
// An optional string that may be null; absent or null -> nullopt.
std::optional<std::string> nullable_string_arg(const boost::json::object& arguments,
                                               std::string_view name);
// An optional boolean; absent or null -> fallback.
bool bool_arg_or(const boost::json::object& arguments, std::string_view name, bool fallback);
// An optional list of strings; absent or null -> empty.
std::vector<std::string> string_list_arg(const boost::json::object& arguments,
                                         std::string_view name);
// An optional non-negative integer; absent or null -> nullopt.
std::optional<std::uint64_t> uint_arg(const boost::json::object& arguments, std::string_view name);
// An optional number; absent or null -> fallback.
double number_arg_or(const boost::json::object& arguments, std::string_view name, double fallback);
// An optional number that may be null; absent or null -> nullopt.
std::optional<double> nullable_number_arg(const boost::json::object& arguments,
                                          std::string_view name);
// A priority given as a string or a JSON integer; absent or null -> "info".
// Integers become their decimal text, so the bus parses every spelling once.
std::string priority_arg(const boost::json::object& arguments, std::string_view name);

}  // namespace blender_bus::tools
