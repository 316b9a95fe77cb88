#pragma once

#include <string_view>

namespace blender_bus::transport {

// What an Accept header admits, among the two media types MCP responses use.
// An absent header admits anything (RFC 9110).
struct AcceptedMedia {
  bool json = false;
  bool event_stream = false;
};

AcceptedMedia parse_accept(std::string_view header);

}  // namespace blender_bus::transport
