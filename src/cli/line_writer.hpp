#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <string>

namespace blender_bus::cli {

// Writes whole lines to a file descriptor (stdout) without blocking the event
// loop: lines queue and go out in order, one write at a time, so lines from
// different sources never interleave. Use it from one strand.
class LineWriter {
 public:
  // Writes to a duplicate of `fd`; `fd` itself stays open.
  LineWriter(boost::asio::any_io_executor executor, int fd);

  // Queues `line` plus "\n". Dropped once a write failed (the reader is gone).
  void write(std::string line);
  // Returns when everything queued so far is written (or a write failed).
  boost::asio::awaitable<void> drain();
  // Gives up on what is still queued (a pending write fails); drain() then
  // returns promptly. For shutting down while the reader has stalled.
  void close();
  // True once a write failed: nobody reads the other end any more.
  bool failed() const { return failed_; }

 private:
  boost::asio::awaitable<void> write_queued();

  boost::asio::posix::stream_descriptor out_;
  boost::asio::steady_timer idle_;  // cancelled when the queue runs empty
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool failed_ = false;
};

}  // namespace blender_bus::cli
