#include "mcp/resource_registry.hpp"

#include <stdexcept>

namespace blender_bus::mcp {

namespace json = boost::json;

void ResourceRegistry::add(ResourceDefinition resource) {
  const std::string uri = resource.uri;
  if (!resources_.emplace(uri, std::move(resource)).second) {
    throw std::logic_error("resource registered twice: " + uri);
  }
}

const ResourceDefinition* ResourceRegistry::find(std::string_view uri) const {
  auto it = resources_.find(uri);
  return it == resources_.end() ? nullptr : &it->second;
}

json::array ResourceRegistry::list() const {
  json::array resources;
  for (const auto& [uri, resource] : resources_) {
    resources.push_back(json::object{{"uri", resource.uri},
                                     {"name", resource.name},
                                     {"description", resource.description},
                                     {"mimeType", resource.mime_type}});
  }
  return resources;
}

}  // namespace blender_bus::mcp
