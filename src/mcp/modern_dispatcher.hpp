#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <string>

#include "mcp/call_context.hpp"
#include "mcp/dispatcher.hpp"
#include "mcp/json_rpc.hpp"
#include "mcp/modern_request.hpp"
#include "mcp/task_book.hpp"

namespace blender_bus::mcp {

// A modern request's answer and the HTTP status it travels with: 200 for
// results and the errors of a handler, 404 for a method not served
// (-32601), 400 for a missing client capability (-32021).
struct ModernAnswer {
  boost::json::object response;
  int http_status = 200;
};

// What the server offers modern clients beyond tools, resources and prompts.
struct ModernOffer {
  // subscriptions/listen with resourceSubscriptions (capability
  // resources.subscribe), served by the transport.
  bool resource_subscriptions = false;
  // The tasks extension (io.modelcontextprotocol/tasks) over this book;
  // null: not offered (tasks/* are then methods not found).
  TaskBook* tasks = nullptr;
};

// Whether the request's clientCapabilities declare the tasks extension.
bool declares_tasks(const RequestMeta& meta);
// -32021 for a request that needs the tasks extension its client did not
// declare, with the capability it lacks in data.requiredCapabilities.
RpcError tasks_capability_missing(std::string_view what);

// The 2026-07-28 revision's request handling, session-less: each request
// stands alone (its `_meta` already validated). server/discover, the lists
// with their caching hints (ttlMs, cacheScope), tools/call, resources/read
// and prompts/get through the Dispatcher's shared operations; every result
// carries resultType and the server's identity in
// _meta["io.modelcontextprotocol/serverInfo"]. The methods the revision
// removed (initialize, ping, logging/setLevel, resources/subscribe, …) and
// unknown ones are -32601. Stateless, so thread-safe.
class ModernDispatcher {
 public:
  ModernDispatcher(Dispatcher& dispatcher, ModernOffer offer);

  // `context` carries the caller (a session object that lives for this
  // request only).
  boost::asio::awaitable<ModernAnswer> handle(CallContext& context, const RpcMessage& message,
                                              const RequestMeta& meta);

  // The capabilities server/discover declares (and handle() honours).
  const boost::json::object& capabilities() const { return capabilities_; }
  // A result as the revision wants it: resultType "complete" and the
  // server's identity in its _meta. For results built elsewhere (the
  // transport's listen close).
  boost::json::object complete(boost::json::object result) const;
  // The error the transport answers with for a JSON-RPC id `id` (omitted
  // when null: the revision's schema has no null id).
  static boost::json::object error_response(const boost::json::value& id, const RpcError& error);

 private:
  boost::json::object discover() const;
  boost::json::object cacheable(boost::json::object result, bool per_user) const;
  // tasks/get, tasks/update, tasks/cancel (the extension declared).
  boost::asio::awaitable<boost::json::object> task_method(CallContext& context,
                                                          const std::string& method,
                                                          const boost::json::object& params);
  // A task's fields as the extension writes them (CreateTaskResult and
  // DetailedTask share them).
  boost::json::object task_fields(const TaskState& task) const;

  Dispatcher& dispatcher_;
  ModernOffer offer_;
  boost::json::object capabilities_;
  boost::json::object server_info_;
};

}  // namespace blender_bus::mcp
