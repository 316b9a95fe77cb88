#include "mcp/schema_validator.hpp"

#include <algorithm>
#include <cmath>

#include "json/serializer.hpp"

namespace blender_bus::mcp {

namespace json = boost::json;

namespace {

std::string_view type_name(const json::value& value) {
  switch (value.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "boolean";
    case json::kind::int64:
    case json::kind::uint64:
      return "integer";
    case json::kind::double_:
      return "number";
    case json::kind::string:
      return "string";
    case json::kind::array:
      return "array";
    case json::kind::object:
      return "object";
  }
  return "unknown";
}

bool has_type(const json::value& value, std::string_view type) {
  if (type == "number") return value.is_number();
  if (type == "integer") {
    if (value.is_int64() || value.is_uint64()) return true;
    // JSON does not distinguish 3 from 3.0, and an integer may have any size
    // (1e30 is one): accept integral doubles.
    if (!value.is_double()) return false;
    const double number = value.get_double();
    return std::isfinite(number) && std::trunc(number) == number;
  }
  return type_name(value) == type;
}

std::string describe(std::string_view path) {
  return path.empty() ? "arguments" : std::string(path);
}

std::size_t utf8_length(std::string_view text) {
  // Schema lengths count characters (code points), not bytes.
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::optional<double> as_double(const json::value& value) {
  if (value.is_int64()) return static_cast<double>(value.get_int64());
  if (value.is_uint64()) return static_cast<double>(value.get_uint64());
  if (value.is_double()) return value.get_double();
  return std::nullopt;
}

std::optional<std::string> validate(const json::value& instance, const json::object& schema,
                                    const std::string& path) {
  if (const json::value* type = schema.if_contains("type")) {
    bool ok = false;
    std::string expected;
    if (type->is_string()) {
      ok = has_type(instance, type->get_string());
      expected = std::string(type->get_string());
    } else if (type->is_array()) {
      for (const auto& t : type->get_array()) {
        if (!t.is_string()) continue;
        if (!expected.empty()) expected += " or ";
        expected += std::string(t.get_string());
        ok = ok || has_type(instance, t.get_string());
      }
    } else {
      ok = true;
    }
    if (!ok) {
      return describe(path) + ": expected " + expected + ", got " +
             std::string(type_name(instance));
    }
  }
  if (const json::value* allowed = schema.if_contains("enum"); allowed && allowed->is_array()) {
    const auto& values = allowed->get_array();
    if (std::find(values.begin(), values.end(), instance) == values.end()) {
      return describe(path) + ": must be one of " + blender_bus::json::to_text(values);
    }
  }
  if (instance.is_string()) {
    const std::size_t length = utf8_length(instance.get_string());
    if (const json::value* max = schema.if_contains("maxLength"); max && max->is_number()) {
      if (length > max->to_number<std::size_t>()) {
        return describe(path) + ": longer than " + std::to_string(max->to_number<std::size_t>()) +
               " characters";
      }
    }
    if (const json::value* min = schema.if_contains("minLength"); min && min->is_number()) {
      if (length < min->to_number<std::size_t>()) {
        return describe(path) + ": shorter than " + std::to_string(min->to_number<std::size_t>()) +
               " characters";
      }
    }
  }
  if (auto number = as_double(instance)) {
    if (const json::value* min = schema.if_contains("minimum"); min && min->is_number()) {
      if (*number < min->to_number<double>()) {
        return describe(path) + ": must be at least " + blender_bus::json::to_text(*min);
      }
    }
    if (const json::value* max = schema.if_contains("maximum"); max && max->is_number()) {
      if (*number > max->to_number<double>()) {
        return describe(path) + ": must be at most " + blender_bus::json::to_text(*max);
      }
    }
  }
  if (instance.is_array()) {
    const auto& items = instance.get_array();
    if (const json::value* max = schema.if_contains("maxItems"); max && max->is_number()) {
      if (items.size() > max->to_number<std::size_t>()) {
        return describe(path) + ": more than " + std::to_string(max->to_number<std::size_t>()) +
               " items";
      }
    }
    if (const json::value* min = schema.if_contains("minItems"); min && min->is_number()) {
      if (items.size() < min->to_number<std::size_t>()) {
        return describe(path) + ": fewer than " + std::to_string(min->to_number<std::size_t>()) +
               " items";
      }
    }
    if (const json::value* item_schema = schema.if_contains("items");
        item_schema && item_schema->is_object()) {
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (auto error = validate(items[i], item_schema->get_object(),
                                  describe(path) + "[" + std::to_string(i) + "]")) {
          return error;
        }
      }
    }
  }
  if (instance.is_object()) {
    const auto& object = instance.get_object();
    const json::object* properties = nullptr;
    if (const json::value* p = schema.if_contains("properties"); p && p->is_object()) {
      properties = &p->get_object();
    }
    if (const json::value* required = schema.if_contains("required");
        required && required->is_array()) {
      for (const auto& name : required->get_array()) {
        if (name.is_string() && !object.contains(name.get_string())) {
          const std::string field = path.empty() ? std::string(name.get_string())
                                                 : path + "." + std::string(name.get_string());
          return field + ": required field is missing";
        }
      }
    }
    const json::value* additional = schema.if_contains("additionalProperties");
    const bool closed = additional && additional->is_bool() && !additional->get_bool();
    for (const auto& [key, value] : object) {
      const std::string field = path.empty() ? std::string(key) : path + "." + std::string(key);
      const json::value* property = properties ? properties->if_contains(key) : nullptr;
      if (!property) {
        if (closed) return field + ": unknown field";
        continue;
      }
      if (property->is_object()) {
        if (auto error = validate(value, property->get_object(), field)) return error;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> validate_against_schema(const json::value& instance,
                                                   const json::object& schema) {
  return validate(instance, schema, "");
}

}  // namespace blender_bus::mcp
