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

// The per-request (modern, session-less) revisions this server serves: a
// request names one in its `_meta` instead of negotiating it in an
// initialize handshake.
inline constexpr std::array<std::string_view, 1> kModernProtocolVersions = {"2026-07-28"};

// Legacy (initialize handshake) revisions this server speaks.
bool is_supported_protocol_version(std::string_view version);
// A modern revision this server serves.
bool is_served_modern_protocol_version(std::string_view version);
// Whether `version` names the per-request era, served or not: revisions are
// dated, so every one from 2026-07-28 on compares at or above it (the
// official SDKs' rule; an unknown "v999.0.0" counts as modern too and is
// then refused as unsupported, not taken for a legacy request).
bool is_modern_protocol_version(std::string_view version);
// A supported requested version is echoed; anything else gets the newest.
std::string_view negotiate_protocol_version(std::string_view requested);

}  // namespace blender_bus::mcp
