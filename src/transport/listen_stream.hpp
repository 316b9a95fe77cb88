#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <memory>
#include <string>
#include <vector>

#include "mcp/resource_feed.hpp"
#include "transport/http_chunk.hpp"
#include "transport/http_options.hpp"
#include "transport/http_stream.hpp"
#include "transport/http_types.hpp"
#include "transport/listen_registry.hpp"

namespace blender_bus::transport {

// One subscriptions/listen (MCP 2026-07-28) after its filter was accepted:
// an SSE response that opens with notifications/subscriptions/acknowledged
// and then carries notifications/resources/updated for each subscribed uri
// whose watch says so, every notification tagged with the subscription id
// (the listen's JSON-RPC id), keep-alive comments between them, until the
// client closes it, or until the server closes it (shutdown): then the
// listen's result ends the stream, as the revision's graceful closure says.
// No event ids: the revision has no resumption.
class ListenStream : public std::enable_shared_from_this<ListenStream> {
 public:
  struct Subscription {
    std::string uri;
    std::unique_ptr<mcp::ResourceWatch> watch;
  };

  // `closing_result` is the JSON-RPC response that ends the listen when the
  // server closes it; `registry` knows the stream while it runs.
  ListenStream(const boost::asio::any_io_executor& executor, std::shared_ptr<HttpStream> stream,
               const HttpOptions& options, boost::json::value subscription_id,
               boost::json::object closing_result, ListenRegistry& registry);

  // Called from any thread: a subscribed resource may have changed.
  void wake();
  // Called from any thread: end the stream with the closing result.
  void close();
  // Runs the stream to its end; `honoured` is the filter as acknowledged.
  boost::asio::awaitable<void> run(const HttpRequest& request, std::vector<Subscription> watches,
                                   boost::json::object honoured);

 private:
  boost::asio::awaitable<void> watch_peer();
  boost::asio::awaitable<bool> send(std::string_view method, boost::json::object params);

  boost::asio::any_io_executor executor_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<HttpStream> stream_;
  const HttpOptions& options_;
  boost::json::value subscription_id_;
  boost::json::object closing_result_;
  ListenRegistry& registry_;
  HttpChunk chunk_;
  bool woken_ = false;
  bool peer_gone_ = false;
  bool closing_ = false;
};

}  // namespace blender_bus::transport
