#include "auth/string_list_text.hpp"

#include <boost/json.hpp>

namespace blender_bus::auth {

namespace json = boost::json;

std::string to_json_text(const std::vector<std::string>& items) {
  json::array array;
  for (const auto& item : items) array.emplace_back(item);
  return json::serialize(array);
}

std::vector<std::string> from_json_text(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  const json::value value = json::parse(text, ec);
  if (ec || !value.is_array()) return out;
  for (const auto& item : value.as_array()) {
    if (item.is_string()) out.emplace_back(item.as_string());
  }
  return out;
}

}  // namespace blender_bus::auth
