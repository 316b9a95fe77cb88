#include "cli/bearer_auth.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace blender_bus::cli {
namespace {

namespace asio = boost::asio;

// Two requests refused at once (a POST and the event stream, say) must not
// both spend the refresh token: refresh tokens rotate, so the second would
// be refused and its request would fail.
TEST(BearerAuth, ConcurrentRefreshesShareOne) {
  asio::io_context io;
  int refreshes = 0;
  asio::steady_timer network(io);
  auto auth =
      std::make_shared<BearerAuth>("stale", [&]() -> asio::awaitable<std::optional<std::string>> {
        ++refreshes;
        network.expires_after(std::chrono::milliseconds(20));  // the round trip
        co_await network.async_wait(asio::as_tuple(asio::use_awaitable));
        co_return "fresh-" + std::to_string(refreshes);
      });
  std::vector<bool> outcomes;
  for (int i = 0; i < 3; ++i) {
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { outcomes.push_back(co_await auth->refresh("stale")); },
        asio::detached);
  }
  io.run_for(std::chrono::seconds(5));
  EXPECT_EQ(refreshes, 1);
  EXPECT_EQ(outcomes, (std::vector<bool>{true, true, true}));
  EXPECT_EQ(auth->token(), "fresh-1");
}

TEST(BearerAuth, AFailedRefreshIsReportedAndTheNextOneMayTryAgain) {
  asio::io_context io;
  int refreshes = 0;
  auto auth =
      std::make_shared<BearerAuth>("stale", [&]() -> asio::awaitable<std::optional<std::string>> {
        ++refreshes;
        if (refreshes == 1) throw std::runtime_error("network down");
        co_return std::optional<std::string>("fresh");
      });
  std::string first_error;
  bool second = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        try {
          co_await auth->refresh("stale");
        } catch (const std::runtime_error& e) {
          first_error = e.what();
        }
        second = co_await auth->refresh("stale");
      },
      asio::detached);
  io.run_for(std::chrono::seconds(5));
  EXPECT_EQ(first_error, "network down");
  EXPECT_TRUE(second);
  EXPECT_EQ(auth->token(), "fresh");
}

TEST(BearerAuth, NoRefresherNoNewToken) {
  asio::io_context io;
  BearerAuth auth("only");
  bool refreshed = true;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { refreshed = co_await auth.refresh("only"); },
      asio::detached);
  io.run();
  EXPECT_FALSE(refreshed);
  EXPECT_EQ(auth.header_value(), "Bearer only");
}

}  // namespace
}  // namespace blender_bus::cli
