#include "mcp/prompt_registry.hpp"

#include <stdexcept>

namespace blender_bus::mcp {

namespace json = boost::json;

void PromptRegistry::add(PromptDefinition prompt) {
  const std::string name = prompt.name;
  if (!prompts_.emplace(name, std::move(prompt)).second) {
    throw std::logic_error("prompt registered twice: " + name);
  }
}

const PromptDefinition* PromptRegistry::find(std::string_view name) const {
  auto it = prompts_.find(name);
  return it == prompts_.end() ? nullptr : &it->second;
}

json::array PromptRegistry::list() const {
  json::array prompts;
  for (const auto& [name, prompt] : prompts_) {
    json::array arguments;
    for (const auto& argument : prompt.arguments) {
      arguments.push_back(json::object{{"name", argument.name},
                                       {"description", argument.description},
                                       {"required", argument.required}});
    }
    prompts.push_back(json::object{{"name", prompt.name},
                                   {"description", prompt.description},
                                   {"arguments", std::move(arguments)}});
  }
  return prompts;
}

}  // namespace blender_bus::mcp
