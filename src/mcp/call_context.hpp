#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <string>

#include "mcp/session.hpp"

namespace blender_bus::mcp {

// What a tool, resource or prompt handler knows about the request it serves.
struct CallContext {
  SessionPtr session;                      // the calling session (never null)
  boost::asio::any_io_executor executor;   // for handlers that wait (long-poll)

  const std::string& user_id() const { return session->user_id(); }
};

}  // namespace blender_bus::mcp
