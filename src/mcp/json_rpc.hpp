#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <variant>

namespace blender_bus::mcp {

// JSON-RPC 2.0 error codes used on the wire.
namespace error_code {
inline constexpr int parse_error = -32700;
inline constexpr int invalid_request = -32600;
inline constexpr int method_not_found = -32601;
inline constexpr int invalid_params = -32602;
inline constexpr int internal_error = -32603;
inline constexpr int resource_not_found = -32002;  // MCP 2025 (2026: invalid_params)
// MCP 2026-07-28: a request header does not match its body, or is missing.
inline constexpr int header_mismatch = -32020;
// MCP 2026-07-28: the request needs a client capability it did not declare.
inline constexpr int missing_client_capability = -32021;
// MCP 2026-07-28: the request's protocol version is not served here.
inline constexpr int unsupported_protocol_version = -32022;
}  // namespace error_code

struct RpcError {
  int code = error_code::internal_error;
  std::string message;
  boost::json::value data = nullptr;  // the error's `data`; null: none
};

enum class MessageKind { request, notification, response };

// One classified JSON-RPC message. `id` is null for notifications.
struct RpcMessage {
  MessageKind kind = MessageKind::notification;
  boost::json::value id;
  std::string method;
  boost::json::value params;  // object, array or null
};

// Classifies one JSON value as a JSON-RPC 2.0 message; an RpcError
// (invalid_request) when it is not one. Takes the value to move `params` out
// of it: a payload can be a megabyte, and copying it is the hot path's cost.
std::variant<RpcMessage, RpcError> classify_message(boost::json::value value);

boost::json::object make_result(const boost::json::value& id, boost::json::value result);
boost::json::object make_error(const boost::json::value& id, const RpcError& error);
boost::json::object make_notification(std::string_view method, boost::json::value params);

}  // namespace blender_bus::mcp
