#pragma once

#include <boost/json.hpp>
#include <string>

namespace blender_bus::cli {

// A CallToolResult read the way the bus tools write it (SPEC §5): the JSON
// object is the text of the first content item, and structuredContent wraps
// the same text as {"result": <text>}, as FastMCP does for a tool that
// returns a str.
struct ToolCallResult {
  // The wrapped text parsed as JSON; else a structuredContent of another
  // shape as it is; else the first text parsed as JSON; else that text.
  boost::json::value value;
  std::string text;  // the first text content item, verbatim
  bool is_error = false;
};

// Throws std::invalid_argument when `result` is not a CallToolResult.
ToolCallResult read_tool_call_result(const boost::json::value& result);

}  // namespace blender_bus::cli
