#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>

#include "mcp/session.hpp"
#include "mcp/stream_source.hpp"
#include "transport/http_options.hpp"
#include "transport/http_stream.hpp"
#include "transport/http_types.hpp"

namespace blender_bus::transport {

// Writes a session's standalone SSE stream (the response to GET /mcp): every
// undelivered record of the session's clients from `source`, oldest first,
// then each new one as it arrives, with keep-alive comments in between. Ends
// when the client goes away, a newer GET replaces this stream, the session
// ends, or a write stalls past the write timeout (a slow reader: its records
// wait in their inboxes for the next GET). The response header is written here.
boost::asio::awaitable<void> run_sse_stream(std::shared_ptr<HttpStream> stream,
                                            const HttpRequest& request, mcp::SessionPtr session,
                                            mcp::StreamSource& source, const HttpOptions& options);

}  // namespace blender_bus::transport
