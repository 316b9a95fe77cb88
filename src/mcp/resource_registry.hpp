#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

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
  // Other URIs that read the same resource; resources/list shows only `uri`.
  std::vector<std::string> aliases = {};
};

// Static resources by URI. Filled at start-up, read-only afterwards.
class ResourceRegistry {
 public:
  void add(ResourceDefinition resource);
  // By its URI or one of its aliases.
  const ResourceDefinition* find(std::string_view uri) const;
  boost::json::array list() const;  // resources/list "resources" entries
  std::size_t size() const { return resources_.size(); }

 private:
  std::map<std::string, ResourceDefinition, std::less<>> resources_;
  std::map<std::string, std::string, std::less<>> aliases_;  // alias -> uri
};

}  // namespace blender_bus::mcp
