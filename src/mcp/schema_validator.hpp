#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>

namespace blender_bus::mcp {

// Checks a tool's arguments against its inputSchema. Supports the JSON Schema
// subset our tools declare: type (one or a list), properties, required,
// additionalProperties: false, items, enum, minLength/maxLength,
// minItems/maxItems, minimum/maximum. Returns a message naming the offending
// field (e.g. "capabilities[2]: expected string, got number"), or nullopt.
std::optional<std::string> validate_against_schema(const boost::json::value& instance,
                                                   const boost::json::object& schema);

}  // namespace blender_bus::mcp
