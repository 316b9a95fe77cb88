#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <string>
#include <utility>

#include "mcp/call_context.hpp"
#include "mcp/resource_registry.hpp"
#include "mcp/tool_registry.hpp"

namespace blender_bus::tools {

// The bus tools never wait, so they are plain functions; these adapt them to
// the registries' coroutine signatures. The coroutine is a free function that
// takes the callable by value: a capturing lambda coroutine would keep a
// reference to its closure, whose lifetime the caller does not promise.
namespace detail {
template <class F>
boost::asio::awaitable<mcp::ToolResult> run_tool(F f, mcp::CallContext& ctx,
                                                 const boost::json::object& arguments) {
  co_return f(ctx, arguments);
}
template <class F>
boost::asio::awaitable<std::string> run_reader(F f, mcp::CallContext& ctx) {
  co_return f(ctx);
}
}  // namespace detail

// F: mcp::ToolResult(mcp::CallContext&, const boost::json::object&)
template <class F>
mcp::ToolHandler sync_tool(F f) {
  return [f = std::move(f)](mcp::CallContext& ctx, const boost::json::object& arguments) {
    return detail::run_tool(f, ctx, arguments);
  };
}

// F: std::string(mcp::CallContext&)
template <class F>
mcp::ResourceReader sync_reader(F f) {
  return [f = std::move(f)](mcp::CallContext& ctx) { return detail::run_reader(f, ctx); };
}

}  // namespace blender_bus::tools
