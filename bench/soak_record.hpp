#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "cli/sse_parser.hpp"
#include "soak_state.hpp"

namespace blender_bus::bench {

// One event read on `reader`'s stream: a bus record goes to the ledger
// (event id, message_id or job update, target_uuid) and its payload is
// returned; anything that is not a record is counted as an error of its
// kind, and yields nothing.
std::optional<boost::json::object> note_record(SoakState& state, const std::string& reader,
                                               const cli::SseEvent& event);

}  // namespace blender_bus::bench
