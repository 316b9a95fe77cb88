#include "bus/validation.hpp"

namespace blender_bus::bus {

std::optional<std::string> check_length(std::string_view field, std::string_view value,
                                        std::size_t max) {
  if (value.size() <= max) return std::nullopt;
  return std::string(field) + " exceeds " + std::to_string(max) + " bytes";
}

std::optional<std::string> check_optional_length(std::string_view field,
                                                 const std::optional<std::string>& value,
                                                 std::size_t max) {
  if (!value) return std::nullopt;
  return check_length(field, std::string_view(*value), max);
}

std::optional<std::string> check_capabilities(const std::vector<std::string>& capabilities,
                                              const Limits& limits) {
  if (capabilities.size() > limits.max_capabilities) {
    return "capabilities exceeds " + std::to_string(limits.max_capabilities) + " items";
  }
  for (std::size_t i = 0; i < capabilities.size(); ++i) {
    auto error = check_length("capabilities[" + std::to_string(i) + "]", capabilities[i],
                              limits.max_id_bytes);
    if (error) return error;
  }
  return std::nullopt;
}

}  // namespace blender_bus::bus
