#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "cli/bearer_auth.hpp"
#include "cli/client_message.hpp"
#include "cli/http_connection.hpp"
#include "cli/server_url.hpp"

namespace blender_bus::cli {

struct SessionForwarderOptions {
  // A tool may long-poll, so a request may take long; the client has its own
  // timeouts and can cancel.
  std::chrono::milliseconds request_timeout{10 * 60'000};
  std::size_t max_idle_connections = 4;
};

// Carries another MCP client's messages to the server's /mcp as POSTs, on
// the session that client's own `initialize` opened, under our bearer token
// (refreshed on 401). Every message of an answer, JSON body or SSE stream,
// goes to the sink as one line. Requests run side by side, each on its own
// keep-alive connection from a small pool, so a long tool call does not hold
// up a ping or a cancellation. Use it from one strand.
class SessionForwarder {
 public:
  using Sink = std::function<void(std::string line)>;

  SessionForwarder(boost::asio::any_io_executor executor, ServerUrl server,
                   std::shared_ptr<BearerAuth> auth, Sink to_client,
                   SessionForwarderOptions options = {});

  // Never fails for what the server or network does: a request the server
  // could not answer gets a JSON-RPC error reply in the sink, so the client
  // is never left waiting; a lost notification is logged.
  boost::asio::awaitable<void> forward(const ClientMessage& message);
  // DELETE /mcp: ends the session on the server. Failures are logged.
  boost::asio::awaitable<void> end_session();
  // Closes every connection: requests in flight end with error replies and
  // later ones are refused at once. For shutting down.
  void abort();

  const std::string& session_id() const { return session_id_; }
  const std::string& protocol_version() const { return protocol_version_; }
  const ServerUrl& server() const { return server_; }
  const std::shared_ptr<BearerAuth>& auth() const { return auth_; }

 private:
  boost::asio::awaitable<void> exchange(const ClientMessage& message, HttpConnection& connection,
                                        std::vector<boost::json::value>& unanswered);
  // Passes one answer on, noting which request it settles.
  void deliver(std::string text, const ClientMessage& message,
               std::vector<boost::json::value>& unanswered);
  void refuse(const ClientMessage& message, std::string_view http_body, std::string reason);
  HttpRequest post_request(const ClientMessage& message) const;
  std::shared_ptr<HttpConnection> acquire();
  void release(const std::shared_ptr<HttpConnection>& connection, bool reusable);

  boost::asio::any_io_executor executor_;
  ServerUrl server_;
  std::shared_ptr<BearerAuth> auth_;
  Sink to_client_;
  SessionForwarderOptions options_;
  std::string session_id_;
  std::string protocol_version_;
  std::vector<std::shared_ptr<HttpConnection>> idle_;
  std::unordered_set<std::shared_ptr<HttpConnection>> busy_;
  bool aborted_ = false;
};

}  // namespace blender_bus::cli
