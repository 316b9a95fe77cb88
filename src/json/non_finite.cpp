#include "json/non_finite.hpp"

#include <cmath>
#include <variant>
#include <vector>

namespace blender_bus::json {

namespace bj = boost::json;

namespace {

// The steps from the root to a value: member names and array indexes.
using Step = std::variant<std::string_view, std::size_t>;

bool finite_everywhere(const bj::value& value, std::vector<Step>& steps) {
  if (const double* number = value.if_double()) return std::isfinite(*number);
  if (const bj::array* array = value.if_array()) {
    for (std::size_t i = 0; i < array->size(); ++i) {
      steps.emplace_back(i);
      if (!finite_everywhere((*array)[i], steps)) return false;
      steps.pop_back();
    }
  } else if (const bj::object* object = value.if_object()) {
    for (const bj::key_value_pair& member : *object) {
      steps.emplace_back(member.key());
      if (!finite_everywhere(member.value(), steps)) return false;
      steps.pop_back();
    }
  }
  return true;
}

}  // namespace

std::optional<std::string> find_non_finite(const bj::value& value) {
  std::vector<Step> steps;
  if (finite_everywhere(value, steps)) return std::nullopt;
  std::string path;
  for (const Step& step : steps) {
    if (const auto* index = std::get_if<std::size_t>(&step)) {
      path += '[';
      path += std::to_string(*index);
      path += ']';
    } else {
      if (!path.empty()) path += '.';
      path += std::get<std::string_view>(step);
    }
  }
  return path;
}

}  // namespace blender_bus::json
