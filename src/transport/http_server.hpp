#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <vector>

#include "transport/connection_limit.hpp"
#include "transport/event_route.hpp"
#include "transport/http_options.hpp"
#include "transport/http_stream.hpp"
#include "transport/io_context_pool.hpp"
#include "transport/log_throttle.hpp"
#include "transport/mcp_endpoint.hpp"
#include "transport/route_handler.hpp"

namespace blender_bus::transport {

// Accepts connections and serves each on one thread's io_context: /mcp and /mcp/ go
// to the MCP endpoint (never redirected: a redirect drops Authorization),
// everything else to the plain routes, in order. A request is judged by its
// header before its body is read: a refusal costs the client no upload and
// the server no buffer. With a TLS context every connection speaks HTTPS
// (a plain HTTP request is answered 400 in plain text and closed).
class HttpServer {
 public:
  // The acceptor lives on the pool's first context; each connection on the
  // pool's next one. `tls`: null for plain HTTP.
  HttpServer(IoContextPool& pool, const HttpOptions& options,
             std::shared_ptr<boost::asio::ssl::context> tls = nullptr);

  // Binds and listens; returns the bound endpoint (port 0 picks a free one).
  boost::asio::ip::tcp::endpoint listen();
  // Starts accepting (after listen()). The endpoint must outlive the server.
  // Event routes (GET only) are looked up by path before the plain routes.
  void start(McpEndpoint& endpoint, std::vector<RouteHandler> routes,
             std::vector<EventRoute> event_routes = {});
  // Stops accepting new connections.
  void stop();

  // Connections refused over --max-connections since start.
  std::uint64_t refused_connections() const { return refused_.load(std::memory_order_relaxed); }

 private:
  boost::asio::awaitable<void> accept_loop();
  // Accept failed for want of descriptors or memory: waits before the next
  // try, longer each time in a row, so that the loop neither spins nor floods
  // the log while the shortage lasts.
  boost::asio::awaitable<void> back_off(const boost::system::error_code& ec);
  void refuse_connection(boost::asio::ip::tcp::socket socket);
  boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket,
                                                ConnectionLimit::Slot slot);
  // One request on the connection; returns whether another may follow.
  boost::asio::awaitable<bool> serve_request(const std::shared_ptr<HttpStream>& stream,
                                             boost::beast::flat_buffer& buffer);
  boost::asio::awaitable<HttpResponse> route(HttpStream& stream,
                                             HttpRequest& request);  // takes the body
  // The request as the routes see it (takes the body).
  auth::HttpRequestView view_of(HttpStream& stream, HttpRequest& request) const;
  // A route's answer as an HTTP response (a 401 names the resource metadata).
  HttpResponse response_of(const HttpRequest& request, auth::HttpReply reply) const;

  IoContextPool& pool_;
  const HttpOptions& options_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  McpEndpoint* endpoint_ = nullptr;
  std::vector<RouteHandler> routes_;
  std::vector<EventRoute> event_routes_;
  boost::asio::ip::tcp::acceptor acceptor_;
  // The accept loop's own (its thread only).
  boost::asio::steady_timer accept_retry_;
  std::chrono::milliseconds accept_delay_{0};
  LogThrottle accept_failures_log_{std::chrono::seconds(10)};
  LogThrottle refusals_log_{std::chrono::seconds(10)};
  ConnectionLimit connections_;
  std::atomic<std::uint64_t> refused_{0};
};

}  // namespace blender_bus::transport
