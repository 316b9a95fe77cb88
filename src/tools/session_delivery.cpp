#include "tools/session_delivery.hpp"

#include "bus/priority.hpp"
#include "mcp/log_level.hpp"

namespace blender_bus::tools {

namespace {
// bus::Priority and mcp::LogLevel are the same RFC 5424 scale; the cast below
// relies on it.
static_assert(static_cast<int>(bus::Priority::emergency) ==
              static_cast<int>(mcp::LogLevel::emergency));
static_assert(static_cast<int>(bus::Priority::notice) == static_cast<int>(mcp::LogLevel::notice));
static_assert(static_cast<int>(bus::Priority::debug) == static_cast<int>(mcp::LogLevel::debug));

mcp::LogLevel log_level(bus::Priority p) {
  return static_cast<mcp::LogLevel>(static_cast<int>(p));
}
}  // namespace

std::size_t deliver(std::vector<bus::Delivery> deliveries, mcp::SessionRegistry& sessions) {
  std::size_t pushed = 0;
  for (auto& d : deliveries) {
    if (d.session_id.empty()) continue;
    mcp::SessionPtr session = sessions.find(d.session_id);
    if (!session || !session->admits(log_level(d.level))) continue;
    session->push(std::move(d.text));
    ++pushed;
  }
  return pushed;
}

mcp::ToolResult to_tool_result(const bus::Outcome& outcome) {
  return mcp::ToolResult::json(outcome.result, outcome.rejected);
}

}  // namespace blender_bus::tools
