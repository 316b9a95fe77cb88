#include "cli/tool_call_result.hpp"

#include <stdexcept>

namespace blender_bus::cli {

namespace json = boost::json;

namespace {

// The text parsed as JSON, or the text itself when it is not JSON.
json::value json_or_text(std::string_view text) {
  boost::system::error_code ec;
  auto parsed = json::parse(text, ec);
  return ec ? json::value(text) : std::move(parsed);
}

// FastMCP's wrapping of a str result: {"result": "<text>"} and nothing else.
const json::string* wrapped_text(const json::value& structured) {
  const auto* object = structured.if_object();
  if (object == nullptr || object->size() != 1) return nullptr;
  const auto* result = object->if_contains("result");
  return result ? result->if_string() : nullptr;
}

}  // namespace

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
    const json::string* wrapped = wrapped_text(*structured);
    out.value = wrapped ? json_or_text(*wrapped) : *structured;
    return out;
  }
  out.value = json_or_text(out.text);
  return out;
}

}  // namespace blender_bus::cli
