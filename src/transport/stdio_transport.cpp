#include "transport/stdio_transport.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <future>
#include <istream>
#include <ostream>
#include <vector>

#include "mcp/incoming_payload.hpp"
#include "mcp/protocol_version.hpp"
#include "mcp/serve_payload.hpp"

namespace blender_bus::transport {

namespace asio = boost::asio;
namespace json = boost::json;

StdioTransport::StdioTransport(asio::io_context& io, mcp::Dispatcher& dispatcher,
                               mcp::SessionPtr session, std::istream& in, std::ostream& out,
                               std::size_t max_line_bytes)
    : io_(io),
      dispatcher_(dispatcher),
      session_(std::move(session)),
      in_(in),
      out_(out),
      max_line_bytes_(max_line_bytes) {}

void StdioTransport::write_line(const std::string& line) {
  std::lock_guard lock(write_mutex_);
  out_ << line << '\n';
  out_.flush();
}

// A member coroutine, not a capturing lambda: a lambda's captures would die
// with the temporary closure while the coroutine still runs.
asio::awaitable<void> StdioTransport::serve_line(mcp::IncomingPayload payload) {
  mcp::PayloadAnswer answer =
      co_await mcp::serve_payload(dispatcher_, session_, std::move(payload), io_.get_executor());
  if (!answer.body.empty()) write_line(answer.body);
}

void StdioTransport::run() {
  std::vector<std::future<void>> in_flight;
  std::string line;
  while (std::getline(in_, line)) {
    if (line.empty() || line == "\r") continue;
    if (line.size() > max_line_bytes_) {
      write_line(json::serialize(mcp::make_error(
          nullptr, {mcp::error_code::invalid_request, "Invalid Request: message too large"})));
      continue;
    }
    std::string version = session_->protocol_version();
    if (version.empty()) version = mcp::kDefaultProtocolVersion;
    auto parsed = mcp::parse_incoming_payload(line, version);
    if (auto* error = std::get_if<mcp::RpcError>(&parsed)) {
      write_line(json::serialize(mcp::make_error(nullptr, *error)));
      continue;
    }
    in_flight.push_back(asio::co_spawn(
        io_, serve_line(std::get<mcp::IncomingPayload>(std::move(parsed))), asio::use_future));
    // Drop finished futures so a long session does not accumulate them.
    std::erase_if(in_flight, [](std::future<void>& f) {
      return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    });
  }
  for (auto& future : in_flight) future.get();
}

}  // namespace blender_bus::transport
