#pragma once

#include <boost/asio/awaitable.hpp>
#include <string_view>

namespace blender_bus::mcp {

// The response stream of the one request being served, for notifications
// related to it, sent before its response (MCP 2026-07-28: a request's own
// stream carries notifications/message only when its _meta set a logLevel).
// The transport implements it; a handler holds it only while it runs.
class RequestStream {
 public:
  virtual ~RequestStream() = default;
  // Sends one serialized JSON-RPC notification. False once the client is
  // gone (a closed stream is the request's cancellation): stop the work.
  virtual boost::asio::awaitable<bool> notify(std::string_view message) = 0;
};

}  // namespace blender_bus::mcp
