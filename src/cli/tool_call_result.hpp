#pragma once

#include <boost/json.hpp>
#include <string>

namespace blender_bus::cli {

// A CallToolResult read the way the bus tools write it (SPEC §5): the JSON
// object is in `structuredContent`, and as text in the first content item.
struct ToolCallResult {
  boost::json::value
      value;         // structuredContent, else the first text parsed as JSON, else that text
  std::string text;  // the first text content item, verbatim
  bool is_error = false;
};

// Throws std::invalid_argument when `result` is not a CallToolResult.
ToolCallResult read_tool_call_result(const boost::json::value& result);

}  // namespace blender_bus::cli
