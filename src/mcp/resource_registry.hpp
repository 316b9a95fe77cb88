#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <functional>
#include <map>
#include <string>

#include "mcp/call_context.hpp"

namespace blender_bus::mcp {

// Returns the resource's text (its mimeType is declared on the definition).
using ResourceReader = std::function<boost::asio::awaitable<std::string>(CallContext&)>;

struct ResourceDefinition {
  std::string uri;
  std::string name;
  std::string description;
  std::string mime_type = "application/json";
  ResourceReader read;
};

// Static resources by URI. Filled at start-up, read-only afterwards.
class ResourceRegistry {
 public:
  void add(ResourceDefinition resource);
  const ResourceDefinition* find(std::string_view uri) const;
  boost::json::array list() const;  // resources/list "resources" entries
  std::size_t size() const { return resources_.size(); }

 private:
  std::map<std::string, ResourceDefinition, std::less<>> resources_;
};

}  // namespace blender_bus::mcp
