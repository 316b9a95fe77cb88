#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <optional>
#include <string>

#include "mcp/log_level.hpp"
#include "mcp/request_stream.hpp"
#include "mcp/session.hpp"

namespace blender_bus::mcp {

// What a tool, resource or prompt handler knows about the request it serves.
struct CallContext {
  SessionPtr session;                     // the calling session (never null)
  boost::asio::any_io_executor executor;  // for handlers that wait (long-poll)
  // MCP 2026-07-28: the request has no session (`session` lives for this
  // request only and has an empty id).
  bool modern = false;
  // Modern requests whose _meta set a logLevel: the request's own response
  // stream and that level (null / nullopt otherwise: send no notification).
  RequestStream* stream = nullptr;
  std::optional<LogLevel> log_level = std::nullopt;

  const std::string& user_id() const { return session->user_id(); }
};

}  // namespace blender_bus::mcp
