#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <functional>

namespace blender_bus::bench {

// The load generator runs on one thread (the server keeps the other core),
// so these helpers need no locks.

// Runs job(i, worker) for every i in [0, count) with `workers` coroutines,
// each taking the next index when done with its last: bounded concurrency.
// Rethrows the first failure once every worker has stopped.
boost::asio::awaitable<void> for_each_parallel(
    boost::asio::any_io_executor executor, std::size_t count, std::size_t workers,
    std::function<boost::asio::awaitable<void>(std::size_t index, std::size_t worker)> job);

// Polls `done` every `step` until it holds (true) or `timeout` passes (false).
boost::asio::awaitable<bool> wait_until(
    std::function<bool()> done, std::chrono::steady_clock::duration timeout,
    std::chrono::steady_clock::duration step = std::chrono::microseconds(500));

boost::asio::awaitable<void> sleep_for(std::chrono::steady_clock::duration duration);

}  // namespace blender_bus::bench
