#pragma once

#include <array>
#include <string_view>

namespace blender_bus::mcp {

// MCP revisions this server speaks, oldest first.
inline constexpr std::array<std::string_view, 3> kSupportedProtocolVersions = {
    "2025-03-26", "2025-06-18", "2025-11-25"};
inline constexpr std::string_view kLatestProtocolVersion = "2025-11-25";
// Assumed when a request carries no MCP-Protocol-Version header (MCP spec).
inline constexpr std::string_view kDefaultProtocolVersion = "2025-03-26";

bool is_supported_protocol_version(std::string_view version);
// A supported requested version is echoed; anything else gets the newest.
std::string_view negotiate_protocol_version(std::string_view requested);

}  // namespace blender_bus::mcp
