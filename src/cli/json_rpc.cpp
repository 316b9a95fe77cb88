#include "cli/json_rpc.hpp"

#include "json/serializer.hpp"

namespace blender_bus::cli {

namespace json = boost::json;

std::string make_request(std::int64_t id, std::string_view method, const json::object& params) {
  json::object message;
  message["jsonrpc"] = "2.0";
  message["id"] = id;
  message["method"] = method;
  message["params"] = params;
  return blender_bus::json::to_text(message);
}

std::string make_notification(std::string_view method, const json::object& params) {
  json::object message;
  message["jsonrpc"] = "2.0";
  message["method"] = method;
  if (!params.empty()) message["params"] = params;
  return blender_bus::json::to_text(message);
}

RpcMessage parse_message(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec) throw RpcFramingError("not JSON: " + ec.message());
  return parse_message_value(std::move(value));
}

namespace {

json::object params_of(json::object& message) {
  auto* params = message.if_contains("params");
  if (params == nullptr || params->is_null()) return {};
  if (!params->is_object()) throw RpcFramingError("params is not an object");
  return std::move(params->as_object());
}

}  // namespace

RpcMessage parse_message_value(json::value value) {
  auto* message = value.if_object();
  if (message == nullptr) throw RpcFramingError("a JSON-RPC message must be an object");
  const auto* version = message->if_contains("jsonrpc");
  if (version == nullptr || !version->is_string() || version->as_string() != "2.0") {
    throw RpcFramingError("not JSON-RPC 2.0");
  }
  if (const auto* method = message->if_contains("method")) {
    if (!method->is_string()) throw RpcFramingError("method is not a string");
    std::string name(method->as_string());
    if (auto* id = message->if_contains("id")) {
      return RpcServerRequest{std::move(*id), std::move(name), params_of(*message)};
    }
    return RpcNotification{std::move(name), params_of(*message)};
  }
  json::value id = nullptr;
  if (auto* found = message->if_contains("id")) id = std::move(*found);
  if (auto* result = message->if_contains("result")) {
    return RpcResult{std::move(id), std::move(*result)};
  }
  if (auto* error = message->if_contains("error")) {
    const auto* object = error->if_object();
    if (object == nullptr) throw RpcFramingError("error is not an object");
    RpcErrorReply reply{std::move(id), 0, {}, nullptr};
    if (const auto* code = object->if_contains("code"); code && code->is_int64()) {
      reply.code = code->as_int64();
    }
    if (const auto* text = object->if_contains("message"); text && text->is_string()) {
      reply.message = std::string(text->as_string());
    }
    if (const auto* data = object->if_contains("data")) reply.data = *data;
    return reply;
  }
  throw RpcFramingError("neither request, notification nor response");
}

RpcError::RpcError(std::int64_t code, std::string message, json::value data)
    : std::runtime_error(message + " (JSON-RPC error " + std::to_string(code) + ")"),
      code_(code),
      data_(std::move(data)) {}

bool id_matches(const json::value& id, std::int64_t ours) {
  if (id.is_int64()) return id.as_int64() == ours;
  if (id.is_uint64()) return ours >= 0 && id.as_uint64() == static_cast<std::uint64_t>(ours);
  // Some servers echo ids as doubles after a round trip through a float-only parser.
  if (id.is_double()) return id.as_double() == static_cast<double>(ours);
  return false;
}

}  // namespace blender_bus::cli
