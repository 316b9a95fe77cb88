#include "cli/tool_memberships.hpp"

#include <sodium.h>

#include <chrono>

namespace blender_bus::cli {

std::unique_ptr<sharing::BusMemberships> make_tool_memberships(sharing::SharedBusStorage& store) {
  return std::make_unique<sharing::BusMemberships>(
      &store,
      [] {
        return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
            .count();
      },
      [](std::span<unsigned char> bytes) { randombytes_buf(bytes.data(), bytes.size()); });
}

}  // namespace blender_bus::cli
