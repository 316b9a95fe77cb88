#include "mcp/protocol_version.hpp"

#include <algorithm>

namespace blender_bus::mcp {

bool is_supported_protocol_version(std::string_view version) {
  return std::find(kSupportedProtocolVersions.begin(), kSupportedProtocolVersions.end(),
                   version) != kSupportedProtocolVersions.end();
}

std::string_view negotiate_protocol_version(std::string_view requested) {
  return is_supported_protocol_version(requested) ? requested : kLatestProtocolVersion;
}

}  // namespace blender_bus::mcp
