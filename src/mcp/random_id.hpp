#pragma once

#include <string>
#include <string_view>

namespace blender_bus::mcp {

// 128 bits from the OS CSPRNG (libsodium), as 32 lowercase hex characters.
// Session ids must be unguessable: knowing one is enough to speak in it.
std::string random_hex_id();

// True when `text` has the form random_hex_id() makes: a header value that
// does not can name no session, and is refused without a lookup.
bool is_hex_id(std::string_view text);

}  // namespace blender_bus::mcp
