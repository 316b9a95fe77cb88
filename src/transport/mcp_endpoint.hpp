#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>

#include "auth/request_authenticator.hpp"
#include "mcp/dispatcher.hpp"
#include "mcp/session_registry.hpp"
#include "mcp/stream_source.hpp"
#include "transport/http_options.hpp"
#include "transport/http_types.hpp"
#include "transport/origin_guard.hpp"

namespace blender_bus::transport {

// The MCP Streamable HTTP endpoint (/mcp and /mcp/): POST, GET and DELETE as
// SPEC §3 says. Turns HTTP into dispatcher calls and the session's records
// (from the stream source) into an SSE stream.
class McpEndpoint {
 public:
  McpEndpoint(const HttpOptions& options, mcp::Dispatcher& dispatcher,
              mcp::SessionRegistry& sessions, mcp::StreamSource& source,
              const auth::RequestAuthenticator& authenticator);

  // Serves one request. Returns whether the connection may be reused.
  boost::asio::awaitable<bool> serve(std::shared_ptr<beast::tcp_stream> stream,
                                     const HttpRequest& request);

  // The 401 the transport writes for every refused bearer (SPEC §2).
  HttpResponse unauthorized(const HttpRequest& request, const std::string& detail) const;
  // `Bearer resource_metadata="<base>/.well-known/oauth-protected-resource"`.
  const std::string& authenticate_challenge() const { return challenge_; }

 private:
  boost::asio::awaitable<bool> post(beast::tcp_stream& stream, const HttpRequest& request,
                                    const auth::Principal& principal);
  boost::asio::awaitable<bool> get(std::shared_ptr<beast::tcp_stream> stream,
                                   const HttpRequest& request, const mcp::SessionPtr& session);
  HttpResponse del(const HttpRequest& request, const mcp::SessionPtr& session);

  // Looks the request's Mcp-Session-Id up for this user; fills `failure` with
  // the 400/404 answer when it cannot be used.
  mcp::SessionPtr find_session(const HttpRequest& request, const auth::Principal& principal,
                               std::optional<HttpResponse>& failure) const;

  const HttpOptions& options_;
  mcp::Dispatcher& dispatcher_;
  mcp::SessionRegistry& sessions_;
  mcp::StreamSource& source_;
  const auth::RequestAuthenticator& authenticator_;
  OriginGuard origin_guard_;
  std::string challenge_;
};

}  // namespace blender_bus::transport
