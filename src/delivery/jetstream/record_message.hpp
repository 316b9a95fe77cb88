#pragma once

#include <array>
#include <string>

#include "bus/priority.hpp"
#include "delivery/feed.hpp"
#include "nats/message.hpp"
#include "nats/publish_request.hpp"

namespace blender_bus::delivery::jetstream {

// A record as a message of BUS_RECORDS: the payload is the record's
// notifications/message text exactly as a stream writes it; its level rides
// in a header, so a reader's level filter needs no JSON parse.
inline constexpr const char* kLevelHeader = "Bus-Level";

// The headers of one record's publish; `storage` keeps the level's digits
// alive for the request's views.
std::array<nats::Header, 1> record_headers(bus::Priority level, std::string& storage);

// A stored record (read back or republished) as a logged record with its
// stream sequence. A message without a valid level reads as info.
LoggedRecord logged_record(const nats::Message& message, std::uint64_t sequence);

}  // namespace blender_bus::delivery::jetstream
