#include "mcp/tool_registry.hpp"

#include <stdexcept>

#include "json/serializer.hpp"

namespace blender_bus::mcp {

namespace json = boost::json;

ToolResult ToolResult::json(const json::object& value, bool is_error) {
  const std::string text = blender_bus::json::to_text(value);
  ToolResult result;
  result.body.reserve(3);
  result.body["content"] = json::array{json::object{{"type", "text"}, {"text", text}}};
  result.body["structuredContent"] = json::object{{"result", text}};
  if (is_error) result.body["isError"] = true;
  return result;
}

json::object text_result_output_schema() {
  return json::object{
      {"type", "object"},
      {"properties", json::object{{"result", json::object{{"type", "string"}}}}},
      {"required", json::array{"result"}},
      {"x-fastmcp-wrap-result", true},
  };
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
    json::object entry{
        {"name", tool.name}, {"description", tool.description}, {"inputSchema", tool.input_schema}};
    if (!tool.output_schema.empty()) entry["outputSchema"] = tool.output_schema;
    tools.push_back(std::move(entry));
  }
  return tools;
}

std::vector<std::string> ToolRegistry::names() const {
  std::vector<std::string> out;
  out.reserve(tools_.size());
  for (const auto& [name, tool] : tools_) out.push_back(name);
  return out;
}

}  // namespace blender_bus::mcp
