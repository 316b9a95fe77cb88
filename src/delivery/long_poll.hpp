#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "delivery/waiters.hpp"

namespace blender_bus::delivery {

// Waits until `ready()` holds or `timeout` passes, re-checking each time
// `key` is woken on `waiters` (an asio timer, cancelled by the wake: no sleep
// loop, no blocked thread). Returns the last `ready()`. Must run on a strand
// (or a one-thread executor), as every connection's coroutine does.
boost::asio::awaitable<bool> wait_until(Waiters& waiters, std::string key,
                                        std::function<bool()> ready,
                                        std::chrono::milliseconds timeout);

}  // namespace blender_bus::delivery
