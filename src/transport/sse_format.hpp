#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace blender_bus::transport {

// Server-Sent Events framing. `data` must hold no newline (serialized JSON
// never does: Boost.JSON escapes control characters).
void append_sse_event(std::string& out, std::string_view data);
void append_sse_event(std::string& out, std::uint64_t id, std::string_view data);
// A comment line: ignored by clients, keeps proxies from cutting idle streams.
void append_sse_comment(std::string& out, std::string_view text);

}  // namespace blender_bus::transport
