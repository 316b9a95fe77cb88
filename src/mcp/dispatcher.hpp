#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "mcp/json_rpc.hpp"
#include "mcp/prompt_registry.hpp"
#include "mcp/resource_registry.hpp"
#include "mcp/session.hpp"
#include "mcp/tool_registry.hpp"

namespace blender_bus::mcp {

// Thrown by a prompt renderer or resource reader when its arguments are
// unusable; the caller gets JSON-RPC -32602 with this message.
struct InvalidParams : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A protocol error raised inside the dispatcher; it leaves as a JSON-RPC
// error response with this code.
struct RpcFailure : std::runtime_error {
  RpcFailure(int code, const std::string& message) : std::runtime_error(message), code(code) {}
  int code;
};

// resources/read of a URI no resource has. Each era answers it with its own
// code: -32002 before 2026-07-28, -32602 with data {uri} from it on.
struct ResourceNotFound : std::runtime_error {
  explicit ResourceNotFound(std::string uri)
      : std::runtime_error("Resource not found: " + uri), uri(std::move(uri)) {}
  std::string uri;
};

struct ServerIdentity {
  std::string name = "blender-bus";
  std::string version;
  std::string instructions;  // tells an assistant how to use the server
};

// The MCP protocol logic: lifecycle, ping, logging, tools, resources,
// prompts, cancellation. Knows no transport: a transport hands it classified
// messages of a session and writes back what it returns.
class Dispatcher {
 public:
  Dispatcher(ServerIdentity identity, const ToolRegistry& tools, const ResourceRegistry& resources,
             const PromptRegistry& prompts);

  // A request yields its response (result or error); a notification or a
  // response yields nullopt. Also nullopt for a request cancelled meanwhile.
  boost::asio::awaitable<std::optional<boost::json::object>> handle(
      SessionPtr session, RpcMessage message, boost::asio::any_io_executor executor);

  const ServerIdentity& identity() const { return identity_; }
  const ToolRegistry& tools() const { return tools_; }
  const ResourceRegistry& resources() const { return resources_; }
  const PromptRegistry& prompts() const { return prompts_; }

  // The operations both protocol eras share, with their params as given.
  // They throw RpcFailure or InvalidParams for unusable params (an unknown
  // tool or prompt), and ResourceNotFound.
  boost::asio::awaitable<boost::json::value> call_tool(CallContext& context,
                                                       const boost::json::object& params);
  boost::asio::awaitable<boost::json::value> read_resource(CallContext& context,
                                                           const boost::json::object& params);
  boost::json::value get_prompt(CallContext& context, const boost::json::object& params);

  // Told how long each tools/call's handler ran (its arguments valid), on
  // the calling thread, e.g. for a histogram. Set before serving.
  using ToolCallObserver = std::function<void(const ToolDefinition&, std::chrono::nanoseconds)>;
  void observe_tool_calls(ToolCallObserver observer) { observe_tool_call_ = std::move(observer); }

 private:
  boost::asio::awaitable<boost::json::object> handle_request(const SessionPtr& session,
                                                             const RpcMessage& message,
                                                             boost::asio::any_io_executor executor);
  void handle_notification(const SessionPtr& session, const RpcMessage& message);

  boost::json::value initialize(const SessionPtr& session, const boost::json::object& params);

  ServerIdentity identity_;
  const ToolRegistry& tools_;
  const ResourceRegistry& resources_;
  const PromptRegistry& prompts_;
  ToolCallObserver observe_tool_call_;
};

}  // namespace blender_bus::mcp
