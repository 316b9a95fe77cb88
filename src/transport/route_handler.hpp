#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <optional>
#include <vector>

#include "auth/http_exchange.hpp"

namespace blender_bus::transport {

// A plain request/response route beside /mcp (/auth/*, /health, metadata).
// Returns false when the path is not its own. Otherwise it calls `reply`
// exactly once: before it returns, or later from any thread (a login hashes
// on a worker); the connection resumes on its own thread either way.
using RouteReply = std::function<void(auth::HttpReply)>;
using RouteHandler = std::function<bool(const auth::HttpRequestView&, RouteReply)>;

// The answer of the first route that claims `request`, awaited on the calling
// coroutine's executor without blocking it; nullopt when none claims it. An
// answer given before the route returned costs no extra trip through the
// executor.
boost::asio::awaitable<std::optional<auth::HttpReply>> answer_route(
    const std::vector<RouteHandler>& routes, const auth::HttpRequestView& request);

}  // namespace blender_bus::transport
