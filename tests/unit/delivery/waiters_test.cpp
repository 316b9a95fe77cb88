#include "delivery/waiters.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>

#include "delivery/long_poll.hpp"

namespace blender_bus::delivery {
namespace {

TEST(Waiters, AWakeReachesTheWaitersOfItsKeyOnly) {
  Waiters waiters;
  int a = 0;
  int b = 0;
  const auto id_a = waiters.add(Waiters::client_key("alice", "x"), [&] { ++a; });
  waiters.add(Waiters::client_key("bob", "x"), [&] { ++b; });
  EXPECT_EQ(waiters.size(), 2u);
  waiters.wake(Waiters::client_key("alice", "x"));
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 0);
  waiters.remove(Waiters::client_key("alice", "x"), id_a);
  waiters.wake(Waiters::client_key("alice", "x"));
  EXPECT_EQ(a, 1);
  EXPECT_EQ(waiters.size(), 1u);
  // A client and a job of the same name are different keys.
  EXPECT_NE(Waiters::client_key("alice", "x"), Waiters::job_key("alice", "x"));
}

TEST(LongPoll, AWakeEndsTheWaitOnceTheConditionHolds) {
  boost::asio::io_context io;
  Waiters waiters;
  bool ready = false;
  auto waited = boost::asio::co_spawn(
      io,
      wait_until(
          waiters, Waiters::job_key("alice", "j"), [&] { return ready; }, std::chrono::seconds(30)),
      boost::asio::use_future);
  boost::asio::post(io, [&] {
    ready = true;
    waiters.wake(Waiters::job_key("alice", "j"));
  });
  io.run();
  EXPECT_TRUE(waited.get());
  EXPECT_EQ(waiters.size(), 0u) << "the waiter leaves once it is done";
}

TEST(LongPoll, TheDeadlineEndsAWaitWhoseConditionNeverHolds) {
  boost::asio::io_context io;
  Waiters waiters;
  auto waited = boost::asio::co_spawn(io,
                                      wait_until(
                                          waiters, Waiters::client_key("alice", "c"),
                                          [] { return false; }, std::chrono::milliseconds(20)),
                                      boost::asio::use_future);
  io.run();
  EXPECT_FALSE(waited.get());
}

}  // namespace
}  // namespace blender_bus::delivery
