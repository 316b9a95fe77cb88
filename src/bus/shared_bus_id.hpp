#pragma once

#include <string>
#include <string_view>

namespace blender_bus::bus {

// A bus is named by a user id (the user's personal bus) or by a shared bus's
// key: its wire id behind a mark no username can contain (usernames have no
// control characters), so no user, present or future, can name a shared bus
// as their own. Only the wire id ("bus_id" in tools and records) is ever seen
// by clients.
inline constexpr char kSharedBusMark = '\x1f';

inline bool is_shared_bus(std::string_view bus) {
  return !bus.empty() && bus.front() == kSharedBusMark;
}

// The key of the shared bus whose wire id is `wire_id`.
inline std::string shared_bus_key(std::string_view wire_id) {
  std::string key(1, kSharedBusMark);
  key += wire_id;
  return key;
}

// A shared bus's wire id; a personal bus's id unchanged.
inline std::string_view wire_bus_id(std::string_view bus) {
  return is_shared_bus(bus) ? bus.substr(1) : bus;
}

}  // namespace blender_bus::bus
