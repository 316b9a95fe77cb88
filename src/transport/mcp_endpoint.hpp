#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <variant>

#include "auth/principal.hpp"
#include "auth/request_authenticator.hpp"
#include "mcp/dispatcher.hpp"
#include "mcp/session_registry.hpp"
#include "mcp/stream_source.hpp"
#include "transport/accept_header.hpp"
#include "transport/http_options.hpp"
#include "transport/http_stream.hpp"
#include "transport/http_types.hpp"
#include "transport/mcp_cors.hpp"
#include "transport/modern_endpoint.hpp"
#include "transport/origin_guard.hpp"

namespace blender_bus::transport {

// What the header of a request to /mcp was let through with.
struct McpAdmission {
  auth::Principal principal;
  // The session Mcp-Session-Id names (GET and DELETE always have one; a POST
  // without the header has none).
  mcp::SessionPtr session;
  AcceptedMedia accepted;
};

// The verdict on a request's header: the answer to write at once (a
// refusal, before any body is read), or an admission.
using McpGate = std::variant<HttpResponse, McpAdmission>;

// The MCP Streamable HTTP endpoint (/mcp and /mcp/): POST, GET and DELETE as
// SPEC §3 says. Turns HTTP into dispatcher calls and the session's records
// (from the stream source) into an SSE stream. A request of the per-request
// era (MCP 2026-07-28) goes to ModernEndpoint instead.
class McpEndpoint {
 public:
  McpEndpoint(const HttpOptions& options, mcp::Dispatcher& dispatcher,
              mcp::SessionRegistry& sessions, mcp::StreamSource& source,
              const auth::RequestAuthenticator& authenticator,
              mcp::ResourceFeed* resource_feed = nullptr, mcp::TaskBook* tasks = nullptr);

  // Judges a request by its header alone (Origin and Host, method, bearer,
  // MCP-Protocol-Version, Accept, Content-Type, the session id), so that no
  // one is made to wait for, or buffer, a body the server would refuse.
  // `header` is a request whose body has not been read. No I/O.
  McpGate admit(const HttpRequest& header) const;
  // The CORS fields every answer to `header` carries (McpCors; none unless
  // --allow-origin lets its Origin in).
  ResponseFields cors_fields(const HttpRequest& header) const {
    return cors_.response_fields(header);
  }

  // Serves an admitted request (its body read). Returns whether the
  // connection may be reused.
  boost::asio::awaitable<bool> serve(std::shared_ptr<HttpStream> stream, const HttpRequest& request,
                                     const McpAdmission& admission);

  // The 401 the transport writes for every refused bearer (SPEC §2).
  HttpResponse unauthorized(const HttpRequest& request, const std::string& detail) const;
  // `Bearer resource_metadata="<base>/.well-known/oauth-protected-resource"`.
  const std::string& authenticate_challenge() const { return challenge_; }

  // Shutdown: ends the open subscriptions/listen streams with their result
  // (ModernEndpoint::close_listens).
  boost::asio::awaitable<void> close_listens(std::chrono::milliseconds patience) {
    return modern_.close_listens(patience);
  }

 private:
  boost::asio::awaitable<bool> post(const std::shared_ptr<HttpStream>& owner,
                                    const HttpRequest& request, const McpAdmission& admission);
  boost::asio::awaitable<bool> get(std::shared_ptr<HttpStream> stream, const HttpRequest& request,
                                   const mcp::SessionPtr& session);
  HttpResponse del(const HttpRequest& request, const mcp::SessionPtr& session);

  // Looks the request's Mcp-Session-Id (`id`) up for this user; fills
  // `failure` with the 400/404 answer when it cannot be used.
  mcp::SessionPtr find_session(const HttpRequest& request, std::string_view id,
                               const auth::Principal& principal,
                               std::optional<HttpResponse>& failure) const;

  const HttpOptions& options_;
  mcp::Dispatcher& dispatcher_;
  mcp::SessionRegistry& sessions_;
  mcp::StreamSource& source_;
  const auth::RequestAuthenticator& authenticator_;
  OriginGuard origin_guard_;
  McpCors cors_;
  ModernEndpoint modern_;
  std::string challenge_;
};

}  // namespace blender_bus::transport
