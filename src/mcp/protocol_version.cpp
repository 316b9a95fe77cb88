#include "mcp/protocol_version.hpp"

#include <algorithm>

namespace blender_bus::mcp {

bool is_supported_protocol_version(std::string_view version) {
  return std::find(kSupportedProtocolVersions.begin(), kSupportedProtocolVersions.end(), version) !=
         kSupportedProtocolVersions.end();
}

bool is_served_modern_protocol_version(std::string_view version) {
  return std::find(kModernProtocolVersions.begin(), kModernProtocolVersions.end(), version) !=
         kModernProtocolVersions.end();
}

bool is_modern_protocol_version(std::string_view version) {
  return version >= kModernProtocolVersions.front();
}

std::string_view negotiate_protocol_version(std::string_view requested) {
  return is_supported_protocol_version(requested) ? requested : kLatestProtocolVersion;
}

}  // namespace blender_bus::mcp
