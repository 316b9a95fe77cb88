#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "mcp/json_rpc.hpp"
#include "mcp/log_level.hpp"

namespace blender_bus::mcp {

// The protocol fields a modern (2026-07-28, session-less) request carries in
// `params._meta` (the revision's "per-request protocol fields").
struct RequestMeta {
  std::string protocol_version;
  // What the client declared for this request alone ({} = nothing); never
  // inferred from earlier requests.
  boost::json::object client_capabilities;
  // io.modelcontextprotocol/logLevel: without it, no notifications/message
  // may be sent for the request.
  std::optional<LogLevel> log_level;
};

// The request headers the revision's Streamable HTTP transport requires,
// as sent (nullopt: absent). Outer spaces and tabs are ignored.
struct ModernHeaders {
  std::optional<std::string_view> protocol_version;  // MCP-Protocol-Version
  std::optional<std::string_view> method;            // Mcp-Method
  std::optional<std::string_view> name;              // Mcp-Name
};

// A modern request refused before any handler ran: the error (with the
// request's id, when it has one) and the HTTP status it is answered with.
struct ModernRejection {
  RpcError error;
  int http_status = 400;
};

// The body's claim to the modern era: params._meta's
// "io.modelcontextprotocol/protocolVersion", of whatever type; null when the
// message makes none. Two hashed lookups on the message already parsed; a
// legacy client never sends the key.
const boost::json::value* modern_claim(const RpcMessage& message);

// Validates a request or notification that claims the modern era, in the
// revision's order (the first failure answers): the `_meta` fields (-32602),
// a MCP-Protocol-Version header that differs from them or an Mcp-Method that
// differs from the body (-32020), a version not served (-32022, with the
// served ones), then missing headers and the Mcp-Name of tools/call,
// prompts/get, resources/read and the tasks extension's tasks/get,
// tasks/update and tasks/cancel (-32020). Every refusal is HTTP 400. A
// notification needs no Mcp-Method or Mcp-Name (the revision defines none).
std::variant<RequestMeta, ModernRejection> validate_modern_request(const RpcMessage& message,
                                                                   const ModernHeaders& headers);

}  // namespace blender_bus::mcp
