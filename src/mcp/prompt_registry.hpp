#pragma once

#include <boost/json.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "mcp/call_context.hpp"

namespace blender_bus::mcp {

struct PromptArgument {
  std::string name;
  std::string description;
  bool required = false;
};

// Builds a GetPromptResult ({"description"?, "messages":[…]}) from string
// arguments. Required arguments are checked by the dispatcher first.
using PromptRenderer =
    std::function<boost::json::object(CallContext&, const boost::json::object& arguments)>;

struct PromptDefinition {
  std::string name;
  std::string description;
  std::vector<PromptArgument> arguments;
  PromptRenderer render;
};

// Prompts by name. Filled at start-up, read-only afterwards.
class PromptRegistry {
 public:
  void add(PromptDefinition prompt);
  const PromptDefinition* find(std::string_view name) const;
  boost::json::array list() const;  // prompts/list "prompts" entries
  std::size_t size() const { return prompts_.size(); }

 private:
  std::map<std::string, PromptDefinition, std::less<>> prompts_;
};

}  // namespace blender_bus::mcp
