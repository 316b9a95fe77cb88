#include "cli/json_field.hpp"

namespace blender_bus::cli {

std::string string_field(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

}  // namespace blender_bus::cli
