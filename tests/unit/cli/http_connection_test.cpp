#include "cli/http_connection.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <string>

#include "fake_http_server.hpp"

namespace blender_bus::cli {
namespace {

namespace asio = boost::asio;
using testing::FakeExchange;
using testing::FakeHttpServer;

// A stream's head and its first chunk in one write: the client's read of the
// head takes the chunk into its buffer too.
asio::awaitable<void> head_and_chunk(FakeExchange& exchange) {
  co_await exchange.start_stream({}, "hello");
}

// close() from another coroutine while read_some() is pending: the read
// parses what the buffer holds at once and completes later (posted), after
// close() has run. What it parsed into must still exist then, and the read
// fails as if the network had failed.
TEST(HttpConnection, CloseWhileAReadIsPendingFailsThatRead) {
  asio::io_context io;
  FakeHttpServer server(io, head_and_chunk);
  HttpConnection connection(io.get_executor(), ServerUrl::parse(server.url()));
  HttpRequest request;
  request.method = "GET";
  request.target = "/mcp";
  bool read_failed = false;
  std::string after_reconnect;
  bool finished = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        EXPECT_EQ((co_await connection.send(request, std::chrono::seconds(5))).status, 200u);
        asio::post(io, [&] { connection.close(); });  // runs once read_some() is under way
        try {
          co_await connection.read_some(std::chrono::seconds(5));
        } catch (const NetworkError&) {
          read_failed = true;
        }
        EXPECT_FALSE(connection.is_open());
        // The next request reconnects and reads its stream whole.
        EXPECT_EQ((co_await connection.send(request, std::chrono::seconds(5))).status, 200u);
        while (after_reconnect.empty()) {
          auto piece = co_await connection.read_some(std::chrono::seconds(5));
          if (!piece) break;
          after_reconnect += *piece;
        }
      },
      [&](std::exception_ptr error) {
        finished = true;
        server.stop();
        if (error) std::rethrow_exception(error);
      });
  io.run_for(std::chrono::seconds(10));
  ASSERT_TRUE(finished);
  EXPECT_TRUE(read_failed);
  EXPECT_EQ(after_reconnect, "hello");
  EXPECT_EQ(server.connections(), 2u);
}

}  // namespace
}  // namespace blender_bus::cli
