#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <string>

#include "soak_state.hpp"

namespace blender_bus::bench {

// A persistent client that reads its stream slowly: in its slow phases (45 s
// of each minute) one read every 2 s, so large records pile up until the server's write timeout
// cuts it off; it then reopens with Last-Event-ID and gets what it missed.
// In its fast phases (and while the soak drains) it reads as fast as it can,
// so that on average it keeps up and its inbox stays within its bounds.
class SlowReader {
 public:
  SlowReader(SoakState& state, std::size_t user, std::string uuid);

  // Registers, then reads until the soak has stopped and nothing is missing.
  boost::asio::awaitable<void> run();

  const std::string& uuid() const { return uuid_; }
  std::uint64_t bytes_read() const { return bytes_read_; }
  std::uint64_t cut_off() const { return cut_off_; }

 private:
  SoakState& state_;
  std::size_t user_;
  std::string uuid_;
  std::uint64_t bytes_read_ = 0;
  std::uint64_t cut_off_ = 0;  // streams the server ended (write timeout)
};

}  // namespace blender_bus::bench
