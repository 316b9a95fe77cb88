#pragma once

#include "bus/priority.hpp"
#include "mcp/log_level.hpp"

namespace blender_bus::delivery {

// bus::Priority and mcp::LogLevel are the same RFC 5424 scale; the cast relies on it.
static_assert(static_cast<int>(bus::Priority::emergency) ==
              static_cast<int>(mcp::LogLevel::emergency));
static_assert(static_cast<int>(bus::Priority::notice) == static_cast<int>(mcp::LogLevel::notice));
static_assert(static_cast<int>(bus::Priority::debug) == static_cast<int>(mcp::LogLevel::debug));

inline mcp::LogLevel log_level_of(bus::Priority p) {
  return static_cast<mcp::LogLevel>(static_cast<int>(p));
}

}  // namespace blender_bus::delivery
