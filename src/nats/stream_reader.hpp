#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nats/connection.hpp"
#include "nats/message.hpp"

namespace blender_bus::nats {

// Reads one stream's messages by subject (a client's records after its
// cursor, the hole before a live message).
//
// Consistency: a direct get may be answered by any replica, and on R3 a
// replica missed a message acked a moment before in ~15 % of reads under
// load (measured); leader reads (js_GetMsg, js_GetLastMsg) never did. So a
// read takes its upper bound from the leader and then walks the subject with
// direct gets (next message on the subject at or after a sequence: one
// request per message, cheap for the leader), retrying a short read until
// the replica has caught up (milliseconds).
//
// Cost: one request per message plus the bound; the 2.9 file store scans
// from the cursor to the subject's next message (~0.3 us per message of other
// subjects in between). For a large backlog an ordered consumer is cheaper.
//
// Blocking (requests): call on a BlockingPool thread. Transient failures (a
// leader election) are retried up to `deadline`; then NatsError.
class StreamReader {
 public:
  struct Options {
    std::chrono::milliseconds deadline{15000};
    // How long a direct get may keep missing a message below the bound
    // (replica lag) before the read fails.
    std::chrono::milliseconds lag_wait{2000};
  };

  StreamReader(Connection& connection, std::string stream);
  StreamReader(Connection& connection, std::string stream, Options options);

  const std::string& stream() const { return stream_; }

  // The sequence of the subject's last message (leader); 0 when it has none.
  std::uint64_t last_sequence(std::string_view subject);
  // The subject's last message (leader).
  std::optional<Message> last_message(std::string_view subject);
  // The message at `sequence` (leader); nullopt when it is gone or never was.
  std::optional<Message> message(std::uint64_t sequence);

  // The subject's messages with after < sequence <= bound, in order, at most
  // `limit`. Messages removed meanwhile (limits, purge) are skipped.
  std::vector<Message> read(std::string_view subject, std::uint64_t after, std::uint64_t bound,
                            std::size_t limit);
  // read() up to the subject's last message now.
  std::vector<Message> read_all(std::string_view subject, std::uint64_t after, std::size_t limit);

 private:
  Connection& connection_;
  std::string stream_;
  Options options_;
};

}  // namespace blender_bus::nats
