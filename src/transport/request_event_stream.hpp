#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include "mcp/request_stream.hpp"
#include "transport/http_chunk.hpp"
#include "transport/http_options.hpp"
#include "transport/http_stream.hpp"
#include "transport/http_types.hpp"

namespace blender_bus::transport {

// A modern request's own response stream (MCP 2026-07-28): plain JSON until
// the handler sends its first notification, which turns the answer into an
// SSE stream (200, chunked, no event ids) that the response then ends.
class RequestEventStream : public mcp::RequestStream {
 public:
  RequestEventStream(HttpStream& stream, const HttpRequest& request, const HttpOptions& options);

  boost::asio::awaitable<bool> notify(std::string_view message) override;

  // Whether a notification went out (the answer is then an SSE stream).
  bool started() const { return started_; }
  // Ends a started stream with the response; the connection is not reused.
  boost::asio::awaitable<bool> finish(const boost::json::object& response);

 private:
  HttpStream& stream_;
  const HttpRequest& request_;
  const HttpOptions& options_;
  HttpChunk chunk_;
  bool started_ = false;
  bool failed_ = false;
};

}  // namespace blender_bus::transport
