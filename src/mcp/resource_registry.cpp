#include "mcp/resource_registry.hpp"

#include <algorithm>
#include <stdexcept>

namespace blender_bus::mcp {

namespace json = boost::json;

void ResourceRegistry::add(ResourceDefinition resource) {
  const std::string uri = resource.uri;
  std::vector<std::string> uris = resource.aliases;
  uris.push_back(uri);
  std::sort(uris.begin(), uris.end());
  for (std::size_t i = 0; i < uris.size(); ++i) {
    if (find(uris[i]) || (i > 0 && uris[i] == uris[i - 1])) {
      throw std::logic_error("resource URI registered twice: " + uris[i]);
    }
  }
  for (const auto& alias : resource.aliases) aliases_.emplace(alias, uri);
  resources_.emplace(uri, std::move(resource));
}

const ResourceDefinition* ResourceRegistry::find(std::string_view uri) const {
  if (auto it = resources_.find(uri); it != resources_.end()) return &it->second;
  if (auto alias = aliases_.find(uri); alias != aliases_.end()) {
    return &resources_.find(alias->second)->second;
  }
  return nullptr;
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

void ResourceRegistry::add_template(ResourceTemplateDefinition resource_template) {
  templates_.push_back(std::move(resource_template));
}

const ResourceTemplateDefinition* ResourceRegistry::find_template(std::string_view uri) const {
  for (const auto& t : templates_) {
    if (uri.size() > t.prefix.size() && uri.starts_with(t.prefix)) return &t;
  }
  return nullptr;
}

json::array ResourceRegistry::templates() const {
  json::array out;
  for (const auto& t : templates_) {
    out.push_back(json::object{{"uriTemplate", t.uri_template},
                               {"name", t.name},
                               {"description", t.description},
                               {"mimeType", t.mime_type}});
  }
  return out;
}

}  // namespace blender_bus::mcp
