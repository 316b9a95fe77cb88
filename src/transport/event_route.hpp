#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "auth/http_exchange.hpp"
#include "transport/http_options.hpp"
#include "transport/http_stream.hpp"
#include "transport/http_types.hpp"

namespace blender_bus::transport {

// What an event stream writes, pulled by the transport every interval (the
// dashboard's feed). Called on the connection's thread only.
class EventFeed {
 public:
  virtual ~EventFeed() = default;
  // Complete SSE events to write now ("" when nothing changed), or nullopt
  // to end the stream (e.g. the token that opened it was revoked).
  virtual std::optional<std::string> poll() = 0;
};

// A GET route answered with a text/event-stream that stays open: `open`
// judges the request (a refusal is answered like any route's, a 401 with
// WWW-Authenticate) or returns the feed. The transport then polls the feed
// every `interval` and writes what it gives, a keep-alive comment when it
// gave nothing for --keep-alive, until the feed ends, the client leaves, or
// a write does not finish within --write-timeout. Polling on the server's
// clock keeps every cost off the paths the feed reports on.
struct EventRoute {
  std::string path;
  std::chrono::milliseconds interval{1000};
  std::function<std::variant<auth::HttpReply, std::unique_ptr<EventFeed>>(
      const auth::HttpRequestView&)>
      open;
};

// Writes the stream's header, then the feed's events, as above. The
// connection closes after it.
boost::asio::awaitable<void> serve_event_stream(std::shared_ptr<HttpStream> stream,
                                                const HttpRequest& request,
                                                std::unique_ptr<EventFeed> feed,
                                                std::chrono::milliseconds interval,
                                                const HttpOptions& options);

}  // namespace blender_bus::transport
