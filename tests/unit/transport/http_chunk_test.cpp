#include "transport/http_chunk.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <string>
#include <thread>

namespace blender_bus::transport {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// A connected loopback pair; `out` a non-blocking HttpStream, as HttpServer
// makes them.
struct SocketPair {
  SocketPair() {
    tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    socket().connect(acceptor.local_endpoint());
    in = acceptor.accept();
    socket().non_blocking(true);
  }
  tcp::socket& socket() { return out.tcp().socket(); }
  std::string read_exactly(std::size_t n) {
    std::string data(n, '\0');
    asio::read(in, asio::buffer(data));
    return data;
  }
  asio::io_context io;
  HttpStream out{tcp::socket(io)};
  tcp::socket in{io};
};

TEST(HttpChunk, FramesTheBodyAsOneChunkAndWritesItAtOnce) {
  SocketPair pair;
  HttpChunk chunk;
  chunk.assign("data: {}\n\n");
  EXPECT_EQ(chunk.size(), 3 + 10 + 2u);  // "a\r\n" + body + "\r\n"
  boost::system::error_code ec;
  ASSERT_TRUE(chunk.write_now(pair.out, ec));
  EXPECT_FALSE(chunk.pending());
  EXPECT_EQ(pair.read_exactly(15), "a\r\ndata: {}\n\n\r\n");
}

TEST(HttpChunk, AFullSocketLeavesTheRestPendingNotAnError) {
  SocketPair pair;
  // Far more than loopback's socket buffers hold while nobody reads.
  const std::string body(32 * 1024 * 1024, 'x');
  HttpChunk chunk;
  chunk.assign(body);
  boost::system::error_code ec;
  ASSERT_TRUE(chunk.write_now(pair.out, ec)) << ec.message();
  ASSERT_TRUE(chunk.pending());
  // The rest starts where the socket stopped: what it took plus the rest is
  // the whole chunk, byte for byte.
  std::size_t rest = 0;
  for (const auto& b : chunk.rest()) rest += b.size();
  const std::size_t taken = chunk.size() - rest;
  EXPECT_GT(taken, 0u);
  std::string received = pair.read_exactly(taken);
  pair.socket().non_blocking(false);
  std::thread reader([&] { received += pair.read_exactly(rest); });
  asio::write(pair.socket(), chunk.rest());
  reader.join();
  EXPECT_EQ(received, "2000000\r\n" + body + "\r\n");
}

TEST(HttpChunk, AClosedPeerIsAnError) {
  SocketPair pair;
  pair.in.close();
  HttpChunk chunk;
  chunk.assign(std::string(1024 * 1024, 'x'));
  boost::system::error_code ec;
  bool ok = true;
  // The first write may still be accepted; the reset shows on a later one.
  for (int i = 0; i < 100 && ok; ++i) {
    ok = chunk.write_now(pair.out, ec);
    if (ok && !chunk.pending()) chunk.assign(std::string(1024 * 1024, 'x'));
  }
  EXPECT_FALSE(ok);
  EXPECT_TRUE(ec);
}

}  // namespace
}  // namespace blender_bus::transport
