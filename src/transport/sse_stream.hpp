#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>

#include "mcp/session.hpp"
#include "transport/http_options.hpp"
#include "transport/http_types.hpp"

namespace blender_bus::transport {

// Writes a session's standalone SSE stream (the response to GET /mcp): the
// events after `cursor` first (replay), then each new one as it is pushed,
// with keep-alive comments in between. Ends when the client goes away, a newer
// GET replaces this stream, the session ends, or the client is too slow (its
// events wait in the queue for replay). The response header is written here.
boost::asio::awaitable<void> run_sse_stream(std::shared_ptr<beast::tcp_stream> stream,
                                            const HttpRequest& request, mcp::SessionPtr session,
                                            std::uint64_t cursor, const HttpOptions& options);

}  // namespace blender_bus::transport
