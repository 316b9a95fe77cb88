#include "cli/tool_call_result.hpp"

#include <stdexcept>

namespace blender_bus::cli {

namespace json = boost::json;

ToolCallResult read_tool_call_result(const json::value& result) {
  const auto* object = result.if_object();
  if (object == nullptr) throw std::invalid_argument("tool result is not an object");
  ToolCallResult out;
  if (const auto* flag = object->if_contains("isError"); flag && flag->is_bool()) {
    out.is_error = flag->as_bool();
  }
  if (const auto* content = object->if_contains("content"); content && content->is_array()) {
    for (const auto& item : content->as_array()) {
      const auto* entry = item.if_object();
      if (entry == nullptr) continue;
      const auto* type = entry->if_contains("type");
      const auto* text = entry->if_contains("text");
      if (type && type->is_string() && type->as_string() == "text" && text && text->is_string()) {
        out.text = std::string(text->as_string());
        break;
      }
    }
  } else {
    throw std::invalid_argument("tool result has no content array");
  }
  if (const auto* structured = object->if_contains("structuredContent");
      structured && !structured->is_null()) {
    out.value = *structured;
    return out;
  }
  boost::system::error_code ec;
  auto parsed = json::parse(out.text, ec);
  out.value = ec ? json::value(out.text) : std::move(parsed);
  return out;
}

}  // namespace blender_bus::cli
