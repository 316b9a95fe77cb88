#pragma once

#include <string_view>
#include <variant>
#include <vector>

#include "mcp/json_rpc.hpp"

namespace blender_bus::mcp {

// The JSON-RPC messages of one request body (HTTP POST or stdio line).
struct IncomingPayload {
  std::vector<RpcMessage> messages;
  bool is_batch = false;
};

// Parses a body: unparsable JSON -> parse_error; not JSON-RPC, an empty
// batch, or a batch under a protocol version other than 2025-03-26 (the only
// revision with batching) -> invalid_request.
std::variant<IncomingPayload, RpcError> parse_incoming_payload(std::string_view body,
                                                               std::string_view protocol_version);

}  // namespace blender_bus::mcp
