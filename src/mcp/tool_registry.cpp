#include "mcp/tool_registry.hpp"

#include <stdexcept>

namespace blender_bus::mcp {

namespace json = boost::json;

ToolResult ToolResult::json(json::object value, bool is_error) {
  ToolResult result;
  result.body.reserve(3);
  result.body["content"] =
      json::array{json::object{{"type", "text"}, {"text", json::serialize(value)}}};
  result.body["structuredContent"] = std::move(value);
  if (is_error) result.body["isError"] = true;
  return result;
}

ToolResult ToolResult::error(std::string message) {
  ToolResult result;
  result.body["content"] = json::array{json::object{{"type", "text"}, {"text", message}}};
  result.body["isError"] = true;
  return result;
}

void ToolRegistry::add(ToolDefinition tool) {
  const std::string name = tool.name;
  if (!tools_.emplace(name, std::move(tool)).second) {
    throw std::logic_error("tool registered twice: " + name);
  }
}

const ToolDefinition* ToolRegistry::find(std::string_view name) const {
  auto it = tools_.find(name);
  return it == tools_.end() ? nullptr : &it->second;
}

json::array ToolRegistry::list() const {
  json::array tools;
  for (const auto& [name, tool] : tools_) {
    tools.push_back(json::object{
        {"name", tool.name}, {"description", tool.description}, {"inputSchema", tool.input_schema}});
  }
  return tools;
}

}  // namespace blender_bus::mcp
