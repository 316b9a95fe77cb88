#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace blender_bus::transport {

class ListenStream;

// The subscriptions/listen streams open on the server, so that a shutdown
// can end each with its result (the revision's graceful closure) instead of
// cutting the socket. One lock, taken when a listen opens and ends and once
// at shutdown: nothing on the send path.
class ListenRegistry {
 public:
  // Registers an open listen; the returned key removes it. Once closing,
  // the listen is told to close at once (it opened during the shutdown).
  std::uint64_t add(const std::shared_ptr<ListenStream>& listen);
  void remove(std::uint64_t key);

  // Tells every open listen to end with its result, then waits until all
  // have ended or `patience` has passed (a client that reads nothing cannot
  // hold the shutdown longer).
  boost::asio::awaitable<void> close_all(std::chrono::milliseconds patience);

  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<ListenStream>> open_;
  std::uint64_t next_key_ = 0;
  bool closing_ = false;
};

}  // namespace blender_bus::transport
