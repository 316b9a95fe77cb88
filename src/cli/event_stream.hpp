#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "cli/bearer_auth.hpp"
#include "cli/http_connection.hpp"
#include "cli/mcp_client.hpp"
#include "cli/server_url.hpp"
#include "cli/sse_parser.hpp"

namespace blender_bus::cli {

struct EventStreamOptions {
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{5'000};
  std::chrono::milliseconds open_timeout{30'000};
  // Longest silence before the stream is taken for dead and reopened; zero
  // waits forever. The server sends keep-alive comments, so a few of its
  // intervals is a safe value.
  std::chrono::milliseconds idle_timeout{0};
  // The first open sends this as Last-Event-ID: a persistent client back on
  // a new session passes the last id it read, and gets what followed it.
  std::string resume_after;
};

// A session's standalone SSE stream (GET /mcp), where the bus's records
// arrive. Hands each `notifications/message` to the handler; when the
// connection drops it reopens with Last-Event-ID, so the server replays what
// was missed. Use it from one strand.
class EventStream {
 public:
  // params of the notification (level, logger, data) and the event (its id).
  using Handler = std::function<void(boost::json::object& params, const SseEvent& event)>;
  // Every event that carries data, unread: for a proxy that passes the
  // server's messages on as they are (requests and other notifications too).
  using EventHandler = std::function<void(const SseEvent& event)>;

  // Follows `client`'s session (it must be initialized). The stream has its
  // own connection: a GET stream never ends, so it cannot share the POSTs'.
  explicit EventStream(const McpClient& client, EventStreamOptions options = {});
  EventStream(boost::asio::any_io_executor executor, ServerUrl server,
              std::shared_ptr<BearerAuth> auth, std::string session_id,
              std::string protocol_version, EventStreamOptions options = {});

  // Opens the stream; returns once the server accepted it, so what is sent
  // afterwards is read by run(). Throws SessionGone or HttpError when refused.
  boost::asio::awaitable<void> open();
  // Reads until stop() (then returns) or a refusal on reopening (throws).
  // Opens the stream first if open() was not called.
  boost::asio::awaitable<void> run(Handler on_message);
  // The same loop, handing over every event with data.
  boost::asio::awaitable<void> run_events(EventHandler on_event);
  // Ends run() soon. Call it on the stream's executor.
  void stop();
  // Closes the connection as a network failure would: run() reopens it with
  // Last-Event-ID. Call it on the stream's executor.
  void drop_connection() { connection_.close(); }

  // The id a reopening stream resumes after ("" before any).
  const std::string& last_event_id() const {
    return parser_.last_event_id().empty() ? options_.resume_after : parser_.last_event_id();
  }
  std::uint64_t reconnects() const { return reconnects_; }
  bool stopped() const { return stopped_; }

 private:
  boost::asio::awaitable<void> reopen_after_backoff();

  HttpConnection connection_;
  boost::asio::steady_timer backoff_timer_;
  std::shared_ptr<BearerAuth> auth_;
  std::string session_id_;
  std::string protocol_version_;
  EventStreamOptions options_;
  SseParser parser_;
  bool is_open_ = false;
  bool stopped_ = false;
  std::uint64_t reconnects_ = 0;
};

}  // namespace blender_bus::cli
