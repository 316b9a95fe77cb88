#include "mcp/json_rpc.hpp"

namespace blender_bus::mcp {

namespace json = boost::json;

namespace {
RpcError invalid(std::string message) {
  return RpcError{error_code::invalid_request, std::move(message)};
}

bool valid_id(const json::value& id) {
  return id.is_string() || id.is_int64() || id.is_uint64();
}
}  // namespace

std::variant<RpcMessage, RpcError> classify_message(json::value value) {
  json::object* object = value.if_object();
  if (!object) return invalid("Invalid Request: a JSON-RPC message must be an object");
  const json::value* version = object->if_contains("jsonrpc");
  if (!version || !version->is_string() || version->get_string() != "2.0") {
    return invalid("Invalid Request: \"jsonrpc\" must be \"2.0\"");
  }
  RpcMessage message;
  const json::value* method = object->if_contains("method");
  const json::value* id = object->if_contains("id");
  if (method) {
    if (!method->is_string() || method->get_string().empty()) {
      return invalid("Invalid Request: \"method\" must be a non-empty string");
    }
    message.method = std::string(method->get_string());
    if (json::value* params = object->if_contains("params")) {
      if (!params->is_object() && !params->is_array()) {
        return invalid("Invalid Request: \"params\" must be an object or an array");
      }
      message.params = std::move(*params);
    }
    if (id) {
      if (!valid_id(*id)) return invalid("Invalid Request: \"id\" must be a string or an integer");
      message.kind = MessageKind::request;
      message.id = *id;
    } else {
      message.kind = MessageKind::notification;
    }
    return message;
  }
  // A response (to a server-to-client request) carries result or error.
  if (id && (object->contains("result") || object->contains("error"))) {
    message.kind = MessageKind::response;
    message.id = *id;
    return message;
  }
  return invalid("Invalid Request: neither a request, a notification nor a response");
}

json::object make_result(const json::value& id, json::value result) {
  return json::object{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json::object make_error(const json::value& id, const RpcError& error) {
  json::object body{{"code", error.code}, {"message", error.message}};
  if (!error.data.is_null()) body["data"] = error.data;
  return json::object{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(body)}};
}

json::object make_notification(std::string_view method, json::value params) {
  return json::object{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

}  // namespace blender_bus::mcp
