#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <string>

#include "mcp/dispatcher.hpp"
#include "mcp/incoming_payload.hpp"
#include "mcp/session.hpp"

namespace blender_bus::mcp {

// What one payload's messages answered, serialized once, for any transport.
struct PayloadAnswer {
  // The one response, or a batch's array of them; empty when nothing answers
  // (the payload held only notifications and responses).
  std::string body;
  // The payload was an initialize and it failed: the transport ends the
  // session it opened for it, so that none is left behind.
  bool initialize_failed = false;
};

// Bytes in, bytes out: runs the messages of one payload (an HTTP POST body, a
// stdio line) on `session` through the dispatcher, in order, and serializes
// what they answer. A transport only frames what comes back (a JSON body, an
// SSE event, a line).
boost::asio::awaitable<PayloadAnswer> serve_payload(Dispatcher& dispatcher, SessionPtr session,
                                                    IncomingPayload payload,
                                                    boost::asio::any_io_executor executor);

}  // namespace blender_bus::mcp
