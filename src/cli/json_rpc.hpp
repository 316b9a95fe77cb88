#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

namespace blender_bus::cli {

// JSON-RPC 2.0 framing for the client side: what we send and how to read what
// comes back. Knows nothing of HTTP.

std::string make_request(std::int64_t id, std::string_view method,
                         const boost::json::object& params);
std::string make_notification(std::string_view method, const boost::json::object& params);

struct RpcResult {
  boost::json::value id;
  boost::json::value result;
};
struct RpcErrorReply {
  boost::json::value id;  // null when the server could not read ours
  std::int64_t code = 0;
  std::string message;
  boost::json::value data;
};
struct RpcNotification {
  std::string method;
  boost::json::object params;
};
struct RpcServerRequest {  // a request from the server (e.g. ping); we may ignore it
  boost::json::value id;
  std::string method;
  boost::json::object params;
};
using RpcMessage = std::variant<RpcResult, RpcErrorReply, RpcNotification, RpcServerRequest>;

// Thrown when a message is not JSON or not JSON-RPC 2.0.
class RpcFramingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads one JSON-RPC message. Throws RpcFramingError.
RpcMessage parse_message(std::string_view text);
RpcMessage parse_message_value(boost::json::value value);

// A JSON-RPC error reply, thrown by requests that got one.
class RpcError : public std::runtime_error {
 public:
  RpcError(std::int64_t code, std::string message, boost::json::value data = nullptr);
  std::int64_t code() const { return code_; }
  const boost::json::value& data() const { return data_; }

 private:
  std::int64_t code_;
  boost::json::value data_;
};

// True when `id` (as it came back) is the integer id we sent.
bool id_matches(const boost::json::value& id, std::int64_t ours);

}  // namespace blender_bus::cli
