#pragma once

#include <string>

namespace blender_bus::mcp {

// 128 bits from the OS CSPRNG (libsodium), as 32 lowercase hex characters.
// Session ids must be unguessable: knowing one is enough to speak in it.
std::string random_hex_id();

// A random RFC 4122 version-4 UUID string.
std::string random_uuid_v4();

}  // namespace blender_bus::mcp
