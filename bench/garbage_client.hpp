#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>

#include "soak_state.hpp"

namespace blender_bus::bench {

// The soak's hostile client: every `interval` one bad request of a kind
// drawn at random (random bytes, a broken request line, an oversized
// header or body, broken chunking, no token or a forged one, a foreign
// Origin, unparsable JSON, JSON that is not JSON-RPC, an unknown session, a
// bad Last-Event-ID, an unknown method, arguments that break a schema),
// written as raw bytes on a connection of its own. Each answer is counted
// by kind and status; an answer other than the one SPEC gives, a 5xx or no
// answer at all is an error of its kind. Runs until the soak stops.
class GarbageClient {
 public:
  GarbageClient(SoakState& state, std::size_t user, std::chrono::milliseconds interval);

  boost::asio::awaitable<void> run();
  std::uint64_t requests() const { return requests_; }

 private:
  SoakState& state_;
  std::size_t user_;
  std::chrono::milliseconds interval_;
  std::uint64_t requests_ = 0;
};

}  // namespace blender_bus::bench
