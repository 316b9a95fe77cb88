#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace blender_bus::transport {

// A Last-Event-ID header as a resuming stream sends it: the SSE event id (a
// record's sequence number, decimal) it last read. nullopt for anything
// else: empty, signs, spaces, other characters, or beyond 64 bits.
std::optional<std::uint64_t> parse_last_event_id(std::string_view header);

}  // namespace blender_bus::transport
