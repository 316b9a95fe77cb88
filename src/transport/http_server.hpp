#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <vector>

#include "transport/http_options.hpp"
#include "transport/io_context_pool.hpp"
#include "transport/mcp_endpoint.hpp"
#include "transport/route_handler.hpp"

namespace blender_bus::transport {

// Accepts connections and serves each on one thread's io_context: /mcp and /mcp/ go
// to the MCP endpoint (never redirected: a redirect drops Authorization),
// everything else to the plain routes, in order.
class HttpServer {
 public:
  // The acceptor lives on the pool's first context; each connection on the
  // pool's next one.
  HttpServer(IoContextPool& pool, const HttpOptions& options);

  // Binds and listens; returns the bound endpoint (port 0 picks a free one).
  boost::asio::ip::tcp::endpoint listen();
  // Starts accepting (after listen()). Both must outlive the server.
  void start(McpEndpoint& endpoint, std::vector<RouteHandler> routes);
  // Stops accepting new connections.
  void stop();

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket);

  IoContextPool& pool_;
  const HttpOptions& options_;
  McpEndpoint* endpoint_ = nullptr;
  std::vector<RouteHandler> routes_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace blender_bus::transport
