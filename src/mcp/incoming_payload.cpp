#include "mcp/incoming_payload.hpp"

#include <boost/json.hpp>

namespace blender_bus::mcp {

namespace json = boost::json;

std::variant<IncomingPayload, RpcError> parse_incoming_payload(std::string_view body,
                                                               std::string_view protocol_version) {
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec) return RpcError{error_code::parse_error, "Parse error: " + ec.message()};
  IncomingPayload payload;
  if (value.is_array()) {
    if (protocol_version != "2025-03-26") {
      return RpcError{error_code::invalid_request,
                      "Invalid Request: batches are not allowed under protocol version " +
                          std::string(protocol_version)};
    }
    auto& items = value.get_array();
    if (items.empty()) return RpcError{error_code::invalid_request, "Invalid Request: empty batch"};
    payload.is_batch = true;
    for (auto& item : items) {
      auto classified = classify_message(std::move(item));
      if (auto* error = std::get_if<RpcError>(&classified)) return *error;
      payload.messages.push_back(std::move(std::get<RpcMessage>(classified)));
    }
    return payload;
  }
  auto classified = classify_message(std::move(value));
  if (auto* error = std::get_if<RpcError>(&classified)) return *error;
  payload.messages.push_back(std::move(std::get<RpcMessage>(classified)));
  return payload;
}

}  // namespace blender_bus::mcp
