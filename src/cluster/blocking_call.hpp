#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <utility>

namespace blender_bus::cluster {

// Runs an adapter coroutine (a KV write: its ack, a leader read on the
// pool) to its end on this thread, on a private io_context, and returns its
// value or rethrows its exception. For callers that are synchronous by
// contract (the auth stores, which run on auth's worker threads, and the
// command-line tools); never on an io_context thread of the server, which it
// would block for the write's round trip (up to the publish deadline during
// a NATS leader election). Costs one io_context (a few allocations) a call.
template <class T>
T blocking_call(boost::asio::awaitable<T> coroutine) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, std::move(coroutine), boost::asio::use_future);
  io.run();
  return future.get();
}

}  // namespace blender_bus::cluster
