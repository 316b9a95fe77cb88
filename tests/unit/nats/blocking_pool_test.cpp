#include "nats/blocking_pool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

#include "nats_servers.hpp"

namespace blender_bus::nats {
namespace {

namespace asio = boost::asio;
using testing::run_coroutine;

TEST(BlockingPool, RunsOffTheIoThreadAndResumesOnIt) {
  BlockingPool pool(2);
  auto io_thread = std::this_thread::get_id();
  auto [ran_on, resumed_on, value] =
      run_coroutine([&]() -> asio::awaitable<std::tuple<std::thread::id, std::thread::id, int>> {
        std::thread::id ran;
        int value = co_await pool.run([&] {
          ran = std::this_thread::get_id();
          return 42;
        });
        co_return std::tuple{ran, std::this_thread::get_id(), value};
      }());
  EXPECT_NE(ran_on, io_thread);
  EXPECT_EQ(resumed_on, io_thread);
  EXPECT_EQ(value, 42);
}

TEST(BlockingPool, AnExceptionReachesTheAwaiter) {
  BlockingPool pool(1);
  EXPECT_THROW(run_coroutine([&]() -> asio::awaitable<int> {
                 co_return co_await pool.run([]() -> int { throw std::runtime_error("boom"); });
               }()),
               std::runtime_error);
  EXPECT_THROW(run_coroutine([&]() -> asio::awaitable<void> {
                 co_await pool.run([] { throw std::logic_error("void boom"); });
               }()),
               std::logic_error);
}

TEST(BlockingPool, ManyCallsOnFewThreadsAllComplete) {
  BlockingPool pool(2);
  asio::io_context io;
  std::vector<int> results(100, 0);
  for (int i = 0; i < 100; ++i) {
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          results[i] = co_await pool.run([i] {
            std::this_thread::sleep_for(std::chrono::microseconds(200));
            return i * 2;
          });
        },
        asio::detached);
  }
  io.run();
  for (int i = 0; i < 100; ++i) EXPECT_EQ(results[i], i * 2);
}

}  // namespace
}  // namespace blender_bus::nats
