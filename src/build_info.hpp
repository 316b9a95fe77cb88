#pragma once

#include <string_view>

namespace blender_bus {

// What `blender-bus --version` reports beyond the project version
// (BLENDER_BUS_VERSION, from CMake's project()).

// `git describe --always --dirty` of the checkout that was built ("unknown"
// outside git). Defined in a source generated at build time
// (cmake/git_revision.cmake), linked into the executable only.
std::string_view git_revision();

}  // namespace blender_bus
