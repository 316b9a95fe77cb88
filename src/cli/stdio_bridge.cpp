#include "cli/stdio_bridge.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <deque>
#include <memory>
#include <vector>

#include "cli/client_message.hpp"
#include "cli/client_profile.hpp"
#include "cli/command_runner.hpp"
#include "cli/event_stream.hpp"
#include "cli/line_splitter.hpp"
#include "cli/line_writer.hpp"
#include "cli/session_forwarder.hpp"

namespace blender_bus::cli {

namespace asio = boost::asio;

namespace {

// The server's own limit on a request body (SPEC §3).
constexpr std::size_t kMaxLineBytes = 4 * 1024 * 1024;
// The server sends keep-alive comments every 15 s by default; a stream
// silent for this long is taken for dead and reopened (with Last-Event-ID).
constexpr auto kStreamIdleTimeout = std::chrono::seconds(90);

// Asio makes the descriptors it reads and writes non-blocking, and that flag
// belongs to the open file, shared with whoever gave us stdin/stdout (a
// terminal, the shell). Put it back as it was on the way out.
class DescriptorFlags {
 public:
  explicit DescriptorFlags(int fd) : fd_(fd), flags_(::fcntl(fd, F_GETFL)) {}
  ~DescriptorFlags() {
    if (flags_ >= 0) ::fcntl(fd_, F_SETFL, flags_);
  }
  DescriptorFlags(const DescriptorFlags&) = delete;
  DescriptorFlags& operator=(const DescriptorFlags&) = delete;

 private:
  int fd_;
  int flags_;
};

class StdioBridge {
 public:
  StdioBridge(asio::any_io_executor executor, const ClientProfile& profile)
      : executor_(executor),
        out_(executor, STDOUT_FILENO),
        in_(executor, ::dup(STDIN_FILENO)),
        forwarder_(executor, profile.server, profile.auth,
                   [this](std::string line) { out_.write(std::move(line)); }),
        changed_(executor, asio::steady_timer::time_point::max()) {}

  // Until stdin ends (or stop()); then ends the session. Returns the exit status.
  asio::awaitable<int> run() {
    spdlog::info("stdio bridge to {}", forwarder_.server().base());
    co_await read_stdin();
    // What the client asked before it closed stdin is still answered.
    while (requests_ > 0) co_await wait_change();
    if (stream_) stream_->stop();
    while (stream_running_) co_await wait_change();
    co_await forwarder_.end_session();
    if (stopping_) out_.close();  // a reader that stalled must not hold up the exit
    co_await out_.drain();
    co_return 0;
  }

  // Ctrl-C / SIGTERM: in-flight requests are cut short (error replies),
  // then the session ends as at the end of stdin.
  void stop() {
    stopping_ = true;
    boost::system::error_code ignored;
    in_.cancel(ignored);
    forwarder_.abort();
    if (stream_) stream_->stop();
  }

 private:
  asio::awaitable<void> read_stdin() {
    LineSplitter splitter(kMaxLineBytes);
    std::deque<std::string> lines;
    std::array<char, 64 * 1024> buffer;
    const auto on_line = [&lines](std::string&& line) { lines.push_back(std::move(line)); };
    const auto on_overflow = [this] {
      out_.write(error_reply_line(nullptr, -32600, "Invalid Request: message too large"));
    };
    bool at_end = false;
    while (!at_end && !stopping_ && !out_.failed()) {
      auto [ec, n] =
          co_await in_.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
      splitter.feed(std::string_view(buffer.data(), n), on_line, on_overflow);
      if (ec) {
        at_end = true;
        if (ec == asio::error::eof) {
          if (auto last = splitter.finish()) lines.push_back(std::move(*last));
        } else if (ec != asio::error::operation_aborted) {
          spdlog::error("stdio bridge: reading stdin: {}", ec.message());
        }
      }
      // One at a time, in order: an initialize finishes (and the stream
      // opens) before anything after it is sent.
      while (!lines.empty() && !stopping_) {
        auto line = std::move(lines.front());
        lines.pop_front();
        co_await handle(std::move(line));
      }
    }
    if (out_.failed()) spdlog::info("stdio bridge: stdout closed; ending");
  }

  asio::awaitable<void> handle(std::string line) {
    auto read = read_client_message(std::move(line));
    if (auto* refusal = std::get_if<MessageRefusal>(&read)) {
      out_.write(error_reply_line(nullptr, refusal->code, refusal->message));
      co_return;
    }
    auto& message = std::get<ClientMessage>(read);
    if (message.initialize) {
      // A second initialize starts over: the old session and stream end.
      if (stream_) stream_->stop();
      while (stream_running_) co_await wait_change();
      co_await forwarder_.end_session();
      co_await forwarder_.forward(message);
      if (!forwarder_.session_id().empty()) co_await open_stream();
    } else if (message.expects_answer()) {
      // Requests run side by side: a long tool call does not hold up the
      // next message (a ping, a cancellation).
      ++requests_;
      asio::co_spawn(executor_, forward_request(std::move(message)),
                     [this](std::exception_ptr error) {
                       --requests_;
                       notify_change();
                       if (error) log_failure("a request failed", error);
                     });
    } else {
      co_await forwarder_.forward(message);  // 202 at once
    }
  }

  asio::awaitable<void> forward_request(ClientMessage message) {
    co_await forwarder_.forward(message);
  }

  // The session's GET stream, where the bus pushes its records. Opened
  // before the next client message is sent, so nothing they cause is missed.
  asio::awaitable<void> open_stream() {
    EventStreamOptions options;
    options.idle_timeout = kStreamIdleTimeout;
    stream_ = std::make_unique<EventStream>(executor_, forwarder_.server(), forwarder_.auth(),
                                            forwarder_.session_id(), forwarder_.protocol_version(),
                                            options);
    try {
      co_await stream_->open();
    } catch (const std::exception& e) {
      spdlog::warn("stdio bridge: no stream for the bus's messages: {}", describe_failure(e));
      stream_.reset();
      co_return;
    }
    spdlog::info("stdio bridge: session {} open", forwarder_.session_id());
    stream_running_ = true;
    asio::co_spawn(executor_, stream_->run_events([this](const SseEvent& event) {
      out_.write(as_one_line(event.data));
    }),
                   [this](std::exception_ptr error) {
                     stream_running_ = false;
                     notify_change();
                     if (error) log_failure("the bus's stream ended", error);
                   });
  }

  static void log_failure(const char* what, std::exception_ptr error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      spdlog::error("stdio bridge: {}: {}", what, describe_failure(e));
    }
  }

  // A poor man's condition variable on one strand: setting the expiry
  // cancels every pending wait, so each waiter wakes and checks again.
  void notify_change() { changed_.expires_at(asio::steady_timer::time_point::max()); }
  asio::awaitable<void> wait_change() {
    co_await changed_.async_wait(asio::as_tuple(asio::use_awaitable));
  }

  asio::any_io_executor executor_;
  LineWriter out_;
  asio::posix::stream_descriptor in_;
  SessionForwarder forwarder_;
  std::unique_ptr<EventStream> stream_;
  asio::steady_timer changed_;
  std::size_t requests_ = 0;
  bool stream_running_ = false;
  bool stopping_ = false;
};

asio::awaitable<int> run_bridge(const StdioBridgeOptions& options, CommandContext& context) {
  ConnectionOptions connection{options.server, options.token_file, options.ca_file};
  auto profile = co_await open_profile(context.executor(), connection);
  StdioBridge bridge(context.executor(), profile);
  context.on_interrupt([&bridge] { bridge.stop(); });
  const int status = co_await bridge.run();
  context.on_interrupt({});
  co_return status;
}

}  // namespace

int run_stdio_bridge(const StdioBridgeOptions& options) {
  // A client that goes away closes our stdout; the write fails with EPIPE
  // and the bridge winds down, instead of dying of the signal.
  std::signal(SIGPIPE, SIG_IGN);
  const DescriptorFlags stdin_flags(STDIN_FILENO);
  const DescriptorFlags stdout_flags(STDOUT_FILENO);
  return run_command("stdio",
                     [&options](CommandContext& context) { return run_bridge(options, context); });
}

}  // namespace blender_bus::cli
