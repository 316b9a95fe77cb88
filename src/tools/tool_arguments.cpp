#include "tools/tool_arguments.hpp"

#include <stdexcept>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace blender_bus::tools {

namespace {
const boost::json::value* present(const boost::json::object& arguments, std::string_view name) {
  const boost::json::value* v = arguments.if_contains(name);
  return v && !v->is_null() ? v : nullptr;
}
}  // namespace

std::string string_arg(const boost::json::object& arguments, std::string_view name) {
  return std::string(arguments.at(name).as_string());
}

std::string string_arg_or(const boost::json::object& arguments, std::string_view name,
                          std::string fallback) {
  const auto* v = present(arguments, name);
  return v ? std::string(v->as_string()) : std::move(fallback);
}

std::optional<std::string> nullable_string_arg(const boost::json::object& arguments,
                                               std::string_view name) {
  const auto* v = present(arguments, name);
  if (!v) return std::nullopt;
  return std::string(v->as_string());
}

bool bool_arg_or(const boost::json::object& arguments, std::string_view name, bool fallback) {
  const auto* v = present(arguments, name);
  return v ? v->as_bool() : fallback;
}

std::vector<std::string> string_list_arg(const boost::json::object& arguments,
                                         std::string_view name) {
  std::vector<std::string> out;
  const auto* v = present(arguments, name);
  if (!v) return out;
  const auto& items = v->as_array();
  out.reserve(items.size());
  for (const auto& item : items) out.emplace_back(item.as_string());
  return out;
}

std::string priority_arg(const boost::json::object& arguments, std::string_view name) {
  const auto* v = present(arguments, name);
  if (!v) return "info";
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_int64()) return std::to_string(v->get_int64());
  if (v->is_uint64()) return std::to_string(v->get_uint64());
  // The schema's "integer" admits integral doubles such as 3.0, and also
  // 1e30, which no integer type holds: that one keeps its JSON spelling, and
  // the bus refuses it by name.
  const double number = v->as_double();
  if (number >= -0x1p63 && number < 0x1p63) {
    return std::to_string(static_cast<long long>(number));
  }
  return boost::json::serialize(*v);
}

std::optional<std::uint64_t> uint_arg(const boost::json::object& arguments, std::string_view name) {
  const auto* v = present(arguments, name);
  if (!v) return std::nullopt;
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64() && v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
  if (v->is_double() && v->get_double() >= 0) {
    // Beyond 64 bits (1e30 is an integer to the schema): the largest cursor.
    const double number = v->get_double();
    return number < 0x1p64 ? static_cast<std::uint64_t>(number) : UINT64_MAX;
  }
  throw std::invalid_argument(std::string(name) + " must be a non-negative integer");
}

double number_arg_or(const boost::json::object& arguments, std::string_view name, double fallback) {
  return nullable_number_arg(arguments, name).value_or(fallback);
}

std::optional<double> nullable_number_arg(const boost::json::object& arguments,
                                          std::string_view name) {
  const auto* v = present(arguments, name);
  if (!v) return std::nullopt;
  return v->to_number<double>();
}

}  // namespace blender_bus::tools
