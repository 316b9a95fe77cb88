#include "cli/http_connection.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <string>

#include "cli/sse_parser.hpp"
#include "fake_http_server.hpp"

namespace blender_bus::cli {
namespace {

namespace asio = boost::asio;
using testing::FakeExchange;
using testing::FakeHttpServer;

constexpr std::size_t kLimit = 1024;

// The answer to one GET on a connection limited to kLimit bytes, or the
// exception it ended with.
std::variant<HttpResponse, std::exception_ptr> fetch(FakeHttpServer::Handler handler) {
  asio::io_context io;
  FakeHttpServer server(io, std::move(handler));
  std::variant<HttpResponse, std::exception_ptr> out;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        HttpConnection connection(io.get_executor(), ServerUrl::parse(server.url()), kLimit);
        HttpRequest request;
        request.target = "/big";
        out = co_await connection.exchange(request, std::chrono::seconds(5));
      },
      [&](std::exception_ptr error) {
        if (error) out = error;
        server.stop();
      });
  io.run_for(std::chrono::seconds(10));
  return out;
}

std::string message_of(const std::variant<HttpResponse, std::exception_ptr>& outcome) {
  const auto* error = std::get_if<std::exception_ptr>(&outcome);
  if (error == nullptr) return "answered";
  try {
    std::rethrow_exception(*error);
  } catch (const AnswerTooLarge& e) {
    return std::string("too large: ") + e.what();
  } catch (const std::exception& e) {
    return std::string("other error: ") + e.what();
  }
}

TEST(HttpConnection, AnAnswerWithinTheLimitIsRead) {
  const auto outcome = fetch([](FakeExchange& exchange) -> asio::awaitable<void> {
    co_await exchange.respond(200, std::string(kLimit, 'x'));
  });
  ASSERT_TRUE(std::holds_alternative<HttpResponse>(outcome)) << message_of(outcome);
  EXPECT_EQ(std::get<HttpResponse>(outcome).body.size(), kLimit);
}

TEST(HttpConnection, ADeclaredAnswerOverTheLimitIsRefusedSayingSo) {
  const auto outcome = fetch([](FakeExchange& exchange) -> asio::awaitable<void> {
    co_await exchange.respond(200, std::string(kLimit + 1, 'x'));
  });
  EXPECT_EQ(message_of(outcome), "too large: the answer to GET /big is larger than 1024 bytes");
}

TEST(HttpConnection, AChunkedAnswerOverTheLimitIsRefusedSayingSo) {
  const auto outcome = fetch([](FakeExchange& exchange) -> asio::awaitable<void> {
    co_await exchange.start_stream();
    for (int i = 0; i < 4; ++i) co_await exchange.chunk(std::string(kLimit / 2, 'x'));
    co_await exchange.end_stream();
  });
  EXPECT_EQ(message_of(outcome), "too large: the answer to GET /big is larger than 1024 bytes");
}

TEST(SseParser, AnEventOverTheLimitIsRefusedSayingSo) {
  SseParser parser(kLimit);
  std::size_t events = 0;
  const auto count = [&](SseEvent&&) { ++events; };
  parser.feed("data: " + std::string(kLimit - 16, 'x') + "\n\n", count);
  EXPECT_EQ(events, 1u);
  // One line that never ends, fed piece by piece.
  parser.feed("data: ", count);
  try {
    for (int i = 0; i < 8; ++i) parser.feed(std::string(kLimit / 4, 'y'), count);
    ADD_FAILURE() << "an endless line was buffered";
  } catch (const AnswerTooLarge& e) {
    EXPECT_STREQ(e.what(), "an event of the server's stream is larger than 1024 bytes");
  }
  // Many data lines of one event count together.
  SseParser lines(kLimit);
  EXPECT_THROW(
      for (int i = 0; i < 8; ++i) lines.feed("data: " + std::string(kLimit / 4, 'z') + "\n", count),
      AnswerTooLarge);
}

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
