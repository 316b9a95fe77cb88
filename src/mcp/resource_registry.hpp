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

// Returns the text of the resource a template's URI names; `rest` is what
// follows the template's prefix (e.g. a client uuid). Throws InvalidParams
// or ResourceNotFound when `rest` names none the caller may read.
using ResourceTemplateReader =
    std::function<boost::asio::awaitable<std::string>(CallContext&, std::string_view rest)>;

// Resources under one URI prefix, e.g. blender://bus/inbox/{client_uuid}.
struct ResourceTemplateDefinition {
  std::string uri_template;  // as listed, e.g. "blender://bus/inbox/{client_uuid}"
  std::string prefix;        // what every URI it serves starts with, "blender://bus/inbox/"
  std::string name;
  std::string description;
  std::string mime_type = "application/json";
  ResourceTemplateReader read;
};

// Static resources by URI, and templates by prefix. Filled at start-up,
// read-only afterwards.
class ResourceRegistry {
 public:
  void add(ResourceDefinition resource);
  // By its URI or one of its aliases.
  const ResourceDefinition* find(std::string_view uri) const;
  boost::json::array list() const;  // resources/list "resources" entries
  std::size_t size() const { return resources_.size(); }

  void add_template(ResourceTemplateDefinition resource_template);
  // The template whose prefix `uri` starts with (and goes beyond), or null.
  const ResourceTemplateDefinition* find_template(std::string_view uri) const;
  boost::json::array templates() const;  // resources/templates/list "resourceTemplates"

 private:
  std::vector<ResourceTemplateDefinition> templates_;
  std::map<std::string, ResourceDefinition, std::less<>> resources_;
  std::map<std::string, std::string, std::less<>> aliases_;  // alias -> uri
};

}  // namespace blender_bus::mcp
