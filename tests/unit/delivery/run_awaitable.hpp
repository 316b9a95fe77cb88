#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <utility>

namespace blender_bus::delivery::test {

// Runs `task` on `io` until it completes (the test's thread is the
// io_context's one thread); rethrows what it threw.
template <class T>
T run_awaitable(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
  auto future = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  io.restart();
  io.run();
  return future.get();
}

}  // namespace blender_bus::delivery::test
