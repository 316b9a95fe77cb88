#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "cli/bearer_auth.hpp"
#include "cli/http_connection.hpp"
#include "cli/http_message.hpp"
#include "cli/json_rpc.hpp"
#include "cli/server_url.hpp"
#include "cli/tool_call_result.hpp"

namespace blender_bus::cli {

inline constexpr std::string_view kProtocolVersion = "2025-06-18";

// The server no longer knows our session (HTTP 404 on a request that carried
// Mcp-Session-Id): it expired or the server restarted. Start a new one.
class SessionGone : public HttpError {
 public:
  using HttpError::HttpError;
};

struct McpClientOptions {
  std::string client_name = "blender-bus-cli";
  std::string client_version = "0.1.0";
  std::string protocol_version = std::string(kProtocolVersion);
  std::chrono::milliseconds timeout{30'000};  // per request
};

// An MCP Streamable HTTP client session over one keep-alive connection
// (POST for messages, DELETE to end). A request's answer may come as a JSON
// body or as an SSE stream; both are read. The standalone GET stream is
// EventStream's job. One request at a time; use it from one strand.
class McpClient {
 public:
  using NotificationHandler = std::function<void(const RpcNotification&)>;

  McpClient(boost::asio::any_io_executor executor, ServerUrl server,
            std::shared_ptr<BearerAuth> auth, McpClientOptions options = {});
  // Over a connection shared with other sessions (the session travels in a
  // header, not in the socket): many sessions, few sockets. Whoever shares it
  // keeps to one request at a time.
  McpClient(std::shared_ptr<HttpConnection> connection, std::shared_ptr<BearerAuth> auth,
            McpClientOptions options = {});

  // initialize, then notifications/initialized. Returns the InitializeResult.
  boost::asio::awaitable<boost::json::object> connect();
  boost::asio::awaitable<boost::json::object> initialize();

  boost::asio::awaitable<boost::json::value> request(std::string_view method,
                                                     boost::json::object params = {});
  boost::asio::awaitable<void> notify(std::string_view method, boost::json::object params = {});
  boost::asio::awaitable<ToolCallResult> call_tool(std::string_view name,
                                                   boost::json::object arguments);
  boost::asio::awaitable<void> ping();
  // DELETE: ends the session on the server (an already-gone one is fine).
  boost::asio::awaitable<void> close();

  const std::string& session_id() const { return session_id_; }
  const std::string& protocol_version() const { return protocol_version_; }
  const ServerUrl& server() const { return connection_->server(); }
  const std::shared_ptr<BearerAuth>& auth() const { return auth_; }
  boost::asio::any_io_executor get_executor() const { return connection_->get_executor(); }
  // Carries this session's next requests on another connection.
  void use_connection(std::shared_ptr<HttpConnection> connection) {
    connection_ = std::move(connection);
  }

  // Notifications the server sends inside a POST's SSE answer (progress, logs).
  void on_notification(NotificationHandler handler) { on_notification_ = std::move(handler); }

  // The request headers every call carries (auth, session, version); shared
  // with EventStream so both speak alike.
  HttpRequest http_request(std::string method) const;

 private:
  // POSTs one message; returns the answer to request `id` (or nothing for a
  // notification).
  boost::asio::awaitable<RpcMessage> post(const std::string& body, std::optional<std::int64_t> id);
  boost::asio::awaitable<std::optional<RpcMessage>> read_event_stream(std::int64_t id);

  std::shared_ptr<HttpConnection> connection_;
  std::shared_ptr<BearerAuth> auth_;
  McpClientOptions options_;
  std::string session_id_;
  std::string protocol_version_;
  std::int64_t next_id_ = 1;
  NotificationHandler on_notification_;
};

}  // namespace blender_bus::cli
