#pragma once

#include <functional>
#include <optional>

#include "auth/http_exchange.hpp"

namespace blender_bus::transport {

// A plain request/response route beside /mcp (/auth/*, /health, metadata).
// Returns nullopt when the path is not its own.
using RouteHandler = std::function<std::optional<auth::HttpReply>(const auth::HttpRequestView&)>;

}  // namespace blender_bus::transport
