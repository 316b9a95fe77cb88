#pragma once

#include <string>

namespace blender_bus::mcp {

// 128 bits from the OS CSPRNG (libsodium), as 32 lowercase hex characters.
// Session ids must be unguessable: knowing one is enough to speak in it.
std::string random_hex_id();

}  // namespace blender_bus::mcp
