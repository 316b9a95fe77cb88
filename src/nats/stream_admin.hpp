#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "nats/connection.hpp"

namespace blender_bus::nats {

// A stream's state and bulk removal, for an engine that keeps many subjects
// in one stream (a subject per client).
//
// Blocking (one API request each, answered by the stream leader; transient
// failures retried up to `deadline`, then NatsError): call on a BlockingPool.
class StreamAdmin {
 public:
  struct State {
    std::uint64_t messages = 0;
    std::uint64_t first_sequence = 0;
    std::uint64_t last_sequence = 0;  // the highest ever stored (kept across purges)
  };

  StreamAdmin(Connection& connection, std::string stream,
              std::chrono::milliseconds deadline = std::chrono::milliseconds(15000));

  State state();
  // The message count of every subject matching `filter` (wildcards allowed)
  // that holds any; one request for all of them.
  std::map<std::string, std::uint64_t> subject_counts(std::string_view filter);
  // Removes the messages of the subjects matching `filter` with a sequence
  // below `below` (0: all of them).
  void purge(std::string_view filter, std::uint64_t below = 0);

 private:
  Connection& connection_;
  std::string stream_;
  std::chrono::milliseconds deadline_;
};

}  // namespace blender_bus::nats
