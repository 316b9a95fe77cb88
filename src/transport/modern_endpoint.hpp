#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include "auth/principal.hpp"
#include "mcp/dispatcher.hpp"
#include "mcp/json_rpc.hpp"
#include "mcp/modern_dispatcher.hpp"
#include "mcp/resource_feed.hpp"
#include "transport/accept_header.hpp"
#include "transport/http_options.hpp"
#include "transport/http_stream.hpp"
#include "transport/http_types.hpp"
#include "transport/listen_registry.hpp"

namespace blender_bus::transport {

// /mcp for the requests of MCP 2026-07-28 (the per-request era): no session,
// no initialize; each POST carries its protocol version, capabilities and
// identity in `_meta` and the headers that repeat them. McpEndpoint hands a
// request here once its body claims the era (or its MCP-Protocol-Version
// header names it); a legacy request never comes here.
class ModernEndpoint {
 public:
  // `feed` may be null: subscriptions/listen is then not offered; `tasks`
  // too: the tasks extension is then not offered.
  ModernEndpoint(const HttpOptions& options, mcp::Dispatcher& dispatcher, mcp::ResourceFeed* feed,
                 mcp::TaskBook* tasks = nullptr);

  // Validates `message` (the body's one message) and its headers, runs it,
  // writes the answer: JSON (or one SSE event when only SSE is accepted)
  // with the revision's status (400 for a refused request, 404 for a method
  // not served), 202 for a notification. Returns whether the connection may
  // be reused.
  boost::asio::awaitable<bool> serve(const std::shared_ptr<HttpStream>& stream,
                                     const HttpRequest& request, const auth::Principal& principal,
                                     AcceptedMedia accepted, mcp::RpcMessage message);

  // A body that is no single JSON-RPC message, under a modern
  // MCP-Protocol-Version header: 400 with the error and no id.
  boost::asio::awaitable<bool> refuse(HttpStream& stream, const HttpRequest& request,
                                      const mcp::RpcError& error);

  const mcp::ModernDispatcher& dispatcher() const { return modern_; }

  // Shutdown: ends every open subscriptions/listen with its result and
  // waits for them, at most `patience`.
  boost::asio::awaitable<void> close_listens(std::chrono::milliseconds patience) {
    return listens_.close_all(patience);
  }

 private:
  boost::asio::awaitable<bool> answer(HttpStream& stream, const HttpRequest& request,
                                      AcceptedMedia accepted, int status,
                                      boost::json::object response);
  // subscriptions/listen: resourceSubscriptions of the caller's own inboxes.
  boost::asio::awaitable<bool> listen(const std::shared_ptr<HttpStream>& stream,
                                      const HttpRequest& request, const auth::Principal& principal,
                                      AcceptedMedia accepted, const mcp::RpcMessage& message,
                                      const mcp::RequestMeta& meta);

  const HttpOptions& options_;
  mcp::ResourceFeed* feed_;
  mcp::ModernDispatcher modern_;
  ListenRegistry listens_;
};

}  // namespace blender_bus::transport
