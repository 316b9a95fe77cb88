#pragma once

#include <string>

#include "bus/random_source.hpp"

namespace blender_bus::bus {

// A fresh RFC 4122 version-4 UUID, lowercase, 8-4-4-4-12 hex digits.
std::string make_uuid_v4(const RandomSource& random);

}  // namespace blender_bus::bus
