#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>

#include "transport/http_stream.hpp"
#include "transport/http_types.hpp"

namespace blender_bus::transport {

// Writes the header of a 200 text/event-stream answer to `request` with a
// chunked body that only the server ends (no-cache, X-Accel-Buffering: no,
// the connection closed after it) within `timeout`. False on an error.
boost::asio::awaitable<bool> write_sse_header(HttpStream& stream, const HttpRequest& request,
                                              std::chrono::seconds timeout);

}  // namespace blender_bus::transport
