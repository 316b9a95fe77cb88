#pragma once

#include <boost/asio/io_context.hpp>
#include <iosfwd>
#include <mutex>

#include "mcp/dispatcher.hpp"
#include "mcp/incoming_payload.hpp"
#include "mcp/session.hpp"

namespace blender_bus::transport {

// MCP over stdio: newline-delimited JSON-RPC on `in`/`out`, one implicit
// session. Requests are dispatched on `io` (run by other threads); responses
// are written whole lines at a time. stdio has no bus (SPEC §3), so nothing
// is ever pushed to it.
class StdioTransport {
 public:
  StdioTransport(boost::asio::io_context& io, mcp::Dispatcher& dispatcher, mcp::SessionPtr session,
                 std::istream& in, std::ostream& out, std::size_t max_line_bytes);

  // Reads until end of input, then waits for the requests still running.
  void run();

 private:
  // Serves one line's payload and writes its answer as one line.
  boost::asio::awaitable<void> serve_line(mcp::IncomingPayload payload);
  void write_line(const std::string& line);

  boost::asio::io_context& io_;
  mcp::Dispatcher& dispatcher_;
  mcp::SessionPtr session_;
  std::istream& in_;
  std::ostream& out_;
  const std::size_t max_line_bytes_;
  std::mutex write_mutex_;
};

}  // namespace blender_bus::transport
