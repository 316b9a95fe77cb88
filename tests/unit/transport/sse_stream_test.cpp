#include "transport/sse_stream.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "transport/sse_format.hpp"

namespace blender_bus::transport {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

// The records of one session, in order; touched only on the stream's thread.
class ListSource : public mcp::StreamSource {
 public:
  void add(std::uint64_t id, std::string data) {
    events_.push_back({id, std::make_shared<const std::string>(std::move(data))});
  }
  std::optional<ResumeError> resume(const mcp::Session&, std::uint64_t) override {
    return std::nullopt;
  }
  mcp::StreamBatch next(const mcp::Session&, std::size_t limit) override {
    mcp::StreamBatch batch;
    for (const auto& event : events_) {
      if (event.id <= delivered_) continue;
      if (batch.events.size() == limit) {
        batch.more = true;
        break;
      }
      batch.events.push_back(event);
    }
    if (!batch.events.empty()) batch.progress.push_back({"inbox", batch.events.back().id});
    return batch;
  }
  void delivered(const mcp::Session&, const mcp::StreamBatch& batch) override {
    for (const auto& p : batch.progress) delivered_ = std::max(delivered_, p.through);
  }

 private:
  std::vector<mcp::OutboundEvent> events_;
  std::uint64_t delivered_ = 0;
};

// Decodes a chunked body: the chunks' payloads, in order, and whether the
// last chunk came. Throws on broken framing.
struct ChunkedBody {
  std::vector<std::string> chunks;
  bool ended = false;
};
ChunkedBody decode_chunks(const std::string& bytes) {
  ChunkedBody body;
  std::size_t at = 0;
  for (;;) {
    const std::size_t line_end = bytes.find("\r\n", at);
    if (line_end == std::string::npos) return body;
    const std::size_t size = std::stoul(bytes.substr(at, line_end - at), nullptr, 16);
    if (bytes.size() < line_end + 2 + size + 2) return body;
    if (bytes.compare(line_end + 2 + size, 2, "\r\n") != 0) {
      throw std::runtime_error("a chunk of " + std::to_string(size) + " bytes at offset " +
                               std::to_string(at) + " is not followed by CRLF");
    }
    if (size == 0) {
      body.ended = true;
      return body;
    }
    body.chunks.push_back(bytes.substr(line_end + 2, size));
    at = line_end + 4 + size;
  }
}

// A stream whose keep-alive timer has fired but not yet resumed the stream's
// coroutine when a record arrives on the stream's own thread: the waker
// writes part of the record's chunk (the socket takes no more), and the
// coroutine then resumes. The chunk must be finished before anything else is
// written; a keep-alive comment written over it would break the framing.
TEST(SseStream, ARecordHalfWrittenByTheWakerIsFinishedBeforeTheKeepAlive) {
  asio::io_context io(1);
  auto guard = asio::make_work_guard(io);
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  tcp::socket client(io, tcp::v4());
  client.set_option(asio::socket_base::receive_buffer_size(4096));
  client.connect(acceptor.local_endpoint());
  tcp::socket accepted = acceptor.accept();
  accepted.set_option(asio::socket_base::send_buffer_size(4096));
  accepted.non_blocking(true);
  auto stream = std::make_shared<HttpStream>(std::move(accepted));

  auto session = std::make_shared<mcp::Session>("session-1", "user-1");
  ListSource source;
  HttpOptions options;
  options.keep_alive_interval = 1s;
  HttpRequest request{http::verb::get, "/mcp", 11};
  asio::co_spawn(io, SseStream::serve(stream, request, session, source, options), asio::detached);
  std::thread runner([&] { io.run(); });

  std::string received;
  std::array<char, 64 * 1024> buffer{};
  const auto read_until = [&](auto&& done) {
    while (!done()) {
      const std::size_t n = client.read_some(asio::buffer(buffer));
      received.append(buffer.data(), n);
    }
  };
  std::string keep_alive;
  append_sse_comment(keep_alive, "keep-alive");
  // The response header, then the first keep-alive: the coroutine has just
  // written it and parked again, with a fresh keep-alive timer.
  read_until([&] { return received.find(keep_alive) != std::string::npos; });
  const std::size_t body_start = received.find("\r\n\r\n") + 4;

  const std::string record(1024 * 1024, 'r');
  std::promise<void> blocked;
  asio::post(io, [&] {
    // A timer that expires before the stream's keep-alive timer: once the
    // thread is free, both complete in one pass, this one first.
    auto first = std::make_shared<asio::steady_timer>(io, std::chrono::steady_clock::now());
    first->async_wait([&, first](boost::system::error_code) {
      source.add(1, record);
      session->stream_signal().wake();  // on the stream's thread: deliver_now writes part of it
    });
    // Hold the thread until the keep-alive timer has expired too.
    std::this_thread::sleep_for(options.keep_alive_interval + 500ms);
    blocked.set_value();
  });
  blocked.get_future().wait();

  std::string expected_event;
  append_sse_event(expected_event, 1, record);
  ChunkedBody body;
  std::string framing_error;
  try {
    read_until([&] {
      body = decode_chunks(received.substr(body_start));
      for (const auto& chunk : body.chunks) {
        if (chunk.find("id: 1\n") != std::string::npos) return true;
      }
      return false;
    });
  } catch (const std::exception& e) {
    framing_error = e.what();
  }
  session->end();  // the stream writes its last chunk and closes
  boost::system::error_code ec;
  while (!ec) {
    const std::size_t n = client.read_some(asio::buffer(buffer), ec);
    received.append(buffer.data(), n);
  }
  guard.reset();
  runner.join();

  ASSERT_EQ(framing_error, "");
  body = decode_chunks(received.substr(body_start));
  EXPECT_TRUE(body.ended);
  ASSERT_GE(body.chunks.size(), 2u);
  EXPECT_EQ(body.chunks[0], keep_alive);
  EXPECT_EQ(body.chunks[1], expected_event);
  for (std::size_t i = 2; i < body.chunks.size(); ++i) EXPECT_EQ(body.chunks[i], keep_alive);
}

}  // namespace
}  // namespace blender_bus::transport
