#include "auth_kv/record_fields.hpp"

namespace blender_bus::auth_kv {

namespace json = boost::json;

std::optional<json::object> parse_record(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

std::optional<std::string> string_field(const json::object& record, std::string_view name) {
  const json::value* v = record.if_contains(name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

std::optional<std::int64_t> int_field(const json::object& record, std::string_view name) {
  const json::value* v = record.if_contains(name);
  if (v == nullptr || !(v->is_int64() || v->is_uint64())) return std::nullopt;
  boost::system::error_code ec;
  const auto n = v->to_number<std::int64_t>(ec);
  if (ec) return std::nullopt;
  return n;
}

std::optional<double> double_field(const json::object& record, std::string_view name) {
  const json::value* v = record.if_contains(name);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  return v->to_number<double>();
}

std::optional<std::vector<std::string>> string_list_field(const json::object& record,
                                                          std::string_view name) {
  const json::value* v = record.if_contains(name);
  if (v == nullptr || !v->is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const json::value& item : v->as_array()) {
    if (item.is_string()) out.emplace_back(item.as_string());
  }
  return out;
}

json::array string_array(const std::vector<std::string>& values) {
  json::array out;
  for (const auto& value : values) out.emplace_back(value);
  return out;
}

json::value int_or_null(const std::optional<std::int64_t>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

}  // namespace blender_bus::auth_kv
