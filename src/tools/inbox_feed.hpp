#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "delivery/modern_channels.hpp"
#include "mcp/resource_feed.hpp"
#include "tools/bus_access.hpp"

namespace blender_bus::tools {

// What subscriptions/listen subscribes to (MCP 2026-07-28
// resourceSubscriptions): blender://bus/inbox/<client_uuid> of a client on
// the caller's personal bus, or blender://bus/inbox/<client_uuid>?bus_id=<id>
// of one on a shared bus they are on. Each goes through the one check
// (BusAccess, as a read of the inbox does), and a refusal names what the
// tools would answer ("bus not found" for an outsider). A watch on a shared
// bus checks again each time it is woken (a few hash lookups): once its user
// is off the bus, or the uuid passed to another member, it tells nothing more
// and its channel closes. Thread-safe.
class InboxFeed : public mcp::ResourceFeed {
 public:
  // Both must outlive the feed.
  InboxFeed(delivery::ModernChannels& channels, const BusAccess& access);

  mcp::WatchAnswer watch(std::string_view user_id, std::string_view uri,
                         std::function<void()> wake) override;

 private:
  class SharedBusWatch;

  delivery::ModernChannels& channels_;
  const BusAccess& access_;
};

}  // namespace blender_bus::tools
