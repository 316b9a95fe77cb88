#pragma once

#include <string>
#include <string_view>

namespace blender_bus::bus {

// The `client_displaced` record a session is sent when another session takes
// its client uuid (SPEC §4's takeover): a SPEC §7 record at warning, direct
// to the uuid, from "server:<user>", payload {"kind":"client_displaced",
// "client_uuid","reason"}; on a shared bus `user` is the member whose client
// it is (never the bus's internal key) and the record carries its "bus_id".
// Returns the notifications/message text.
std::string displaced_notice(std::string_view bus, std::string_view user,
                             std::string_view client_uuid, std::string_view message_id, double now);

}  // namespace blender_bus::bus
