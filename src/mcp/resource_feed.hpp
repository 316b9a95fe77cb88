#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace blender_bus::mcp {

// One subscriber's view of one subscribed resource, alive while its
// subscriptions/listen stream is open.
class ResourceWatch {
 public:
  virtual ~ResourceWatch() = default;
  // Whether to tell the subscriber now that the resource changed. Coalesced:
  // true once per unread change (again only after the subscriber read it).
  virtual bool take_update() = 0;
};

// A watch, or the refusal of one.
struct WatchAnswer {
  std::unique_ptr<ResourceWatch> watch;  // null: refused
  // Why, when the subscriber may be told ("bus not found"); empty: nothing
  // is said beyond the uri.
  std::string refusal;
};

// What subscriptions/listen subscribes to (MCP 2026-07-28
// resourceSubscriptions). The engine implements it; the transport holds the
// stream. Thread-safe.
class ResourceFeed {
 public:
  virtual ~ResourceFeed() = default;
  // A watch of `uri` for `user_id`, or a refusal when that user may not
  // subscribe to it (not a subscribable resource, or not theirs; the two
  // answers look alike). `wake` is called, on any thread, whenever the
  // resource may have changed; the caller then asks the watch.
  virtual WatchAnswer watch(std::string_view user_id, std::string_view uri,
                            std::function<void()> wake) = 0;
};

}  // namespace blender_bus::mcp
