#include "transport/mcp_endpoint.hpp"

#include "auth/access_policy.hpp"

#include <algorithm>
#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>

#include "auth/access_policy.hpp"
#include "auth/protected_resource_metadata.hpp"
#include "mcp/incoming_payload.hpp"
#include "mcp/modern_request.hpp"
#include "mcp/protocol_version.hpp"
#include "mcp/serve_payload.hpp"
#include "transport/accept_header.hpp"
#include "transport/header_excerpt.hpp"
#include "transport/last_event_id.hpp"
#include "transport/sse_format.hpp"
#include "transport/sse_stream.hpp"

namespace blender_bus::transport {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// HTTP-level failures carry a JSON-RPC error body with a null id, as the MCP
// SDKs do, so clients can show the reason.
std::string rpc_error_body(int code, std::string_view message) {
  return json::serialize(
      json::object{{"jsonrpc", "2.0"},
                   {"id", nullptr},
                   {"error", json::object{{"code", code}, {"message", message}}}});
}

HttpResponse rpc_failure(const HttpRequest& request, http::status status, int code,
                         std::string_view message) {
  return make_json_response(request, status, rpc_error_body(code, message));
}

std::string_view header_value(const HttpRequest& request, std::string_view name) {
  auto it = request.find(name);
  return it == request.end() ? std::string_view{} : std::string_view(it->value());
}

// Session ids are issued as 32 hex digits; anything that is not visible
// ASCII of a bounded length (the MCP transport's rule) was never issued.
constexpr std::size_t kMaxSessionIdLength = 128;
bool is_session_id_form(std::string_view id) {
  return id.size() <= kMaxSessionIdLength &&
         std::all_of(id.begin(), id.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
}

bool is_json_content_type(std::string_view value) {
  const std::string_view media = value.substr(0, value.find(';'));
  std::string lowered;
  for (char c : media) {
    if (c != ' ' && c != '\t') lowered.push_back(static_cast<char>(std::tolower(c)));
  }
  return lowered == "application/json";
}

}  // namespace

McpEndpoint::McpEndpoint(const HttpOptions& options, mcp::Dispatcher& dispatcher,
                         mcp::SessionRegistry& sessions, mcp::StreamSource& source,
                         const auth::RequestAuthenticator& authenticator,
                         mcp::ResourceFeed* resource_feed, mcp::TaskBook* tasks)
    : options_(options),
      dispatcher_(dispatcher),
      sessions_(sessions),
      source_(source),
      authenticator_(authenticator),
      origin_guard_(options.host, options.allowed_origins),
      cors_(options.allowed_origins),
      modern_(options, dispatcher, resource_feed, tasks) {
  challenge_ = auth::www_authenticate_challenge(options.public_base_url);
}

HttpResponse McpEndpoint::unauthorized(const HttpRequest& request,
                                       const std::string& detail) const {
  HttpResponse response = make_json_response(request, http::status::unauthorized,
                                             json::serialize(json::object{{"detail", detail}}));
  response.set(http::field::www_authenticate, challenge_);
  return response;
}

McpGate McpEndpoint::admit(const HttpRequest& header) const {
  // DNS-rebinding guard first: a foreign page learns nothing, not even 401.
  if (!origin_guard_.origin_allowed(header_value(header, "Origin")) ||
      !origin_guard_.host_allowed(header_value(header, "Host"))) {
    return rpc_failure(header, http::status::forbidden, -32000, "Forbidden: origin not allowed");
  }
  if (auto preflight = cors_.preflight(header)) return std::move(*preflight);
  const auto method = header.method();
  if (method != http::verb::post && method != http::verb::get && method != http::verb::delete_) {
    HttpResponse response =
        rpc_failure(header, http::status::method_not_allowed, -32000, "Method not allowed");
    response.set(http::field::allow, "GET, POST, DELETE");
    return response;
  }
  auto outcome = authenticator_.authenticate(
      header_value(header, http::to_string(http::field::authorization)));
  if (auto* failure = std::get_if<auth::AuthFailure>(&outcome)) {
    return unauthorized(header, failure->detail);
  }
  if (!auth::may_use_bus(std::get<auth::Principal>(outcome))) {
    // RFC 6750 §3.1: authenticated, but the token's scopes do not cover this.
    HttpResponse response = make_json_response(
        header, http::status::forbidden,
        json::serialize(
            json::object{{"detail", "This token's scopes include neither read nor write"}}));
    response.set(http::field::www_authenticate,
                 R"(Bearer error="insufficient_scope", scope="read write")");
    return response;
  }
  McpAdmission admission{std::move(std::get<auth::Principal>(outcome)), nullptr, {}};

  const std::string_view version_header = header_value(header, "MCP-Protocol-Version");
  // A modern version is judged with the body (McpEndpoint::post): the
  // revision answers an unknown one with the versions it serves.
  const bool modern_header = mcp::is_modern_protocol_version(version_header);
  if (!version_header.empty() && !modern_header &&
      !mcp::is_supported_protocol_version(version_header)) {
    return rpc_failure(
        header, http::status::bad_request, -32000,
        "Bad Request: unsupported MCP-Protocol-Version: " + header_excerpt(version_header));
  }

  admission.accepted = parse_accept(header_value(header, "Accept"));
  if (method == http::verb::post) {
    if (!admission.accepted.json && !admission.accepted.event_stream) {
      return rpc_failure(header, http::status::not_acceptable, -32000,
                         "Not Acceptable: Accept must allow application/json or text/event-stream");
    }
    const std::string_view content_type = header_value(header, "Content-Type");
    if (!content_type.empty() && !is_json_content_type(content_type)) {
      return rpc_failure(header, http::status::unsupported_media_type, -32000,
                         "Unsupported Media Type: Content-Type must be application/json");
    }
  } else if (method == http::verb::get && !admission.accepted.event_stream) {
    return rpc_failure(header, http::status::not_acceptable, -32000,
                       "Not Acceptable: Accept must allow text/event-stream");
  }
  const std::string_view session_id = header_value(header, "Mcp-Session-Id");
  // A POST without the header: the body decides (an initialize opens a
  // session). Under a modern version a session id means nothing.
  if (method == http::verb::post && (session_id.empty() || modern_header)) return admission;
  if (modern_header && session_id.empty()) {
    // The per-request era has no stream to GET and no session to DELETE.
    HttpResponse response = make_json_response(
        header, http::status::method_not_allowed,
        json::serialize(mcp::ModernDispatcher::error_response(
            nullptr, mcp::RpcError{mcp::error_code::invalid_request,
                                   "Method not allowed: protocol version " +
                                       header_excerpt(version_header) + " has only POST"})));
    response.set(http::field::allow, "POST");
    return response;
  }
  std::optional<HttpResponse> failure;
  admission.session = find_session(header, session_id, admission.principal, failure);
  if (!admission.session) return std::move(*failure);
  return admission;
}

asio::awaitable<bool> McpEndpoint::serve(std::shared_ptr<HttpStream> stream,
                                         const HttpRequest& request,
                                         const McpAdmission& admission) {
  switch (request.method()) {
    case http::verb::post:
      co_return co_await post(stream, request, admission);
    case http::verb::get:
      co_return co_await get(stream, request, admission.session);
    default:
      co_return co_await write_response(*stream, del(request, admission.session),
                                        options_.write_timeout);
  }
}

mcp::SessionPtr McpEndpoint::find_session(const HttpRequest& request, std::string_view id,
                                          const auth::Principal& principal,
                                          std::optional<HttpResponse>& failure) const {
  if (id.empty()) {
    failure = rpc_failure(request, http::status::bad_request, -32000,
                          "Bad Request: Mcp-Session-Id header is required");
    return nullptr;
  }
  if (!is_session_id_form(id)) {
    failure = rpc_failure(request, http::status::bad_request, -32000,
                          "Bad Request: malformed Mcp-Session-Id header (visible ASCII, at most " +
                              std::to_string(kMaxSessionIdLength) + " characters)");
    return nullptr;
  }
  // Another user's session is answered exactly like an unknown one.
  mcp::SessionPtr session = sessions_.find_for_user(std::string(id), principal.user_id);
  if (!session) {
    failure = rpc_failure(request, http::status::not_found, -32001, "Session not found");
    return nullptr;
  }
  return session;
}

asio::awaitable<bool> McpEndpoint::post(const std::shared_ptr<HttpStream>& owner,
                                        const HttpRequest& request, const McpAdmission& admission) {
  HttpStream& stream = *owner;
  auto reply = [&](HttpResponse response) {
    return write_response(stream, std::move(response), options_.write_timeout);
  };

  // The session (when named) decides the protocol version batches are judged by.
  mcp::SessionPtr session = admission.session;
  const AcceptedMedia accepted = admission.accepted;
  std::string version(header_value(request, "MCP-Protocol-Version"));
  if (version.empty() && session) version = session->protocol_version();
  if (version.empty()) version = mcp::kDefaultProtocolVersion;

  const bool modern_header =
      mcp::is_modern_protocol_version(header_value(request, "MCP-Protocol-Version"));
  auto parsed = mcp::parse_incoming_payload(request.body(), version);
  if (auto* error = std::get_if<mcp::RpcError>(&parsed)) {
    if (modern_header) co_return co_await modern_.refuse(stream, request, *error);
    co_return co_await reply(
        rpc_failure(request, http::status::bad_request, error->code, error->message));
  }
  auto& payload = std::get<mcp::IncomingPayload>(parsed);
  // The era: a message whose _meta names a protocol version is modern, as is
  // anything under a modern MCP-Protocol-Version header (refused there when
  // its _meta lacks the fields). One lookup in the parsed params; a legacy
  // client sends neither, so nothing legacy is served as modern.
  if (!payload.is_batch) {
    mcp::RpcMessage& message = payload.messages.front();
    if (mcp::modern_claim(message) || modern_header) {
      if (message.method == "initialize" && !mcp::modern_claim(message)) {
        co_return co_await reply(make_json_response(
            request, http::status::bad_request,
            json::serialize(mcp::ModernDispatcher::error_response(
                message.id,
                mcp::RpcError{mcp::error_code::header_mismatch,
                              "Header mismatch: initialize is a legacy handshake, and the "
                              "MCP-Protocol-Version header names a per-request version"}))));
      }
      co_return co_await modern_.serve(owner, request, admission.principal, accepted,
                                       std::move(message));
    }
  }

  const bool initializing =
      std::any_of(payload.messages.begin(), payload.messages.end(), [](const mcp::RpcMessage& m) {
        return m.kind == mcp::MessageKind::request && m.method == "initialize";
      });
  if (initializing) {
    if (payload.messages.size() != 1) {
      co_return co_await reply(rpc_failure(request, http::status::bad_request,
                                           mcp::error_code::invalid_request,
                                           "Invalid Request: initialize must be sent alone"));
    }
    session = sessions_.create(admission.principal.user_id);
    if (!session) {
      co_return co_await reply(rpc_failure(
          request, http::status::too_many_requests, -32000,
          "Too Many Requests: max-sessions-per-user (" +
              std::to_string(sessions_.limits().max_per_user) +
              ") sessions are open for this user; end one (DELETE) or let it expire first"));
    }
  } else if (!session) {
    co_return co_await reply(rpc_failure(request, http::status::bad_request, -32000,
                                         "Bad Request: Mcp-Session-Id header is required"));
  }

  mcp::PayloadAnswer answer = co_await mcp::serve_payload(dispatcher_, session, std::move(payload),
                                                          co_await asio::this_coro::executor);
  if (answer.initialize_failed) {
    sessions_.end(session->id());  // a failed initialize leaves no session behind
    session.reset();
  }

  if (answer.body.empty()) {
    HttpResponse accepted_response = make_json_response(request, http::status::accepted, "");
    co_return co_await reply(std::move(accepted_response));
  }
  const std::string& body = answer.body;
  if (accepted.json) {
    HttpResponse response = make_json_response(request, http::status::ok, body);
    if (session) response.set("Mcp-Session-Id", session->id());
    co_return co_await reply(std::move(response));
  }
  // Only SSE is acceptable: the response travels as one event on a stream
  // that ends with it.
  http::response<http::string_body> response{http::status::ok, request.version()};
  response.set(http::field::server, "blender-bus");
  response.set(http::field::content_type, "text/event-stream");
  response.set(http::field::cache_control, "no-cache, no-transform");
  if (session) response.set("Mcp-Session-Id", session->id());
  response.keep_alive(request.keep_alive());
  append_sse_event(response.body(), body);
  response.prepare_payload();
  co_return co_await reply(std::move(response));
}

asio::awaitable<bool> McpEndpoint::get(std::shared_ptr<HttpStream> stream,
                                       const HttpRequest& request, const mcp::SessionPtr& session) {
  // Without Last-Event-ID the stream starts at the oldest undelivered record
  // of the session's clients (SPEC §9); with it, after that id.
  const std::string_view last_event_id = header_value(request, "Last-Event-ID");
  if (!last_event_id.empty()) {
    const auto requested = parse_last_event_id(last_event_id);
    if (!requested || source_.resume(*session, *requested)) {
      co_return co_await write_response(
          *stream,
          rpc_failure(request, http::status::bad_request, -32000,
                      "Bad Request: Last-Event-ID '" + header_excerpt(last_event_id) +
                          "' cannot be resumed in this session (never issued, or no longer "
                          "retained)"),
          options_.write_timeout);
    }
  }
  co_await SseStream::serve(stream, request, session, source_, options_);
  co_return false;
}

HttpResponse McpEndpoint::del(const HttpRequest& request, const mcp::SessionPtr& session) {
  sessions_.end(session->id());
  return make_json_response(request, http::status::ok, "");
}

}  // namespace blender_bus::transport
