#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "bus/priority.hpp"

namespace blender_bus::bus {

// Everything in a SPEC §7 record except the recipient.
struct RecordFields {
  std::string_view user_id;
  std::string_view from_uuid;
  const boost::json::object& routing;
  std::string_view payload_json;  // the payload, already serialized once for the whole send
  std::string_view job_id;
  std::string_view message_id;
  Priority priority;
  double timestamp;
  // A shared bus's wire id, written after the SPEC §7 keys; empty on a
  // personal bus, whose records keep exactly the §7 keys.
  std::string_view bus_id = {};
};

// The notifications/message text of one send, pre-serialized around the only
// field that differs per recipient ("target_uuid"), so fanning out to N targets
// costs N concatenations instead of N serializations.
class ForwardedRecord {
 public:
  explicit ForwardedRecord(const RecordFields& fields);

  // {"jsonrpc":"2.0","method":"notifications/message","params":{"level":…,
  //  "logger":"_message_bus","data":{"user_id","from_uuid","target_uuid",
  //  "routing","payload","job_id","message_id","priority","timestamp"}}},
  //  and "bus_id" after "timestamp" on a shared bus.
  std::string for_target(std::string_view target_uuid) const;

 private:
  std::string prefix_;  // up to and including "target_uuid":
  std::string suffix_;  // from ,"routing": to the end
};

}  // namespace blender_bus::bus
