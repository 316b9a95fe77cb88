#include "cli/client_message.hpp"

#include "json/serializer.hpp"

namespace blender_bus::cli {

namespace json = boost::json;

namespace {

constexpr std::int64_t kParseError = -32700;
constexpr std::int64_t kInvalidRequest = -32600;

// "" when `value` is a message we can forward; else why not.
std::string read_one(const json::value& value, ClientMessage& message) {
  const auto* object = value.if_object();
  if (object == nullptr) return "not a JSON-RPC message";
  const auto* version = object->if_contains("jsonrpc");
  if (version == nullptr || !version->is_string() || version->as_string() != "2.0") {
    return "not JSON-RPC 2.0";
  }
  const auto* method = object->if_contains("method");
  const auto* id = object->if_contains("id");
  if (method == nullptr) {
    // A reply to a request of the server's: forwarded, nothing awaited.
    if (object->contains("result") || object->contains("error")) return {};
    return "neither a request, a notification nor a response";
  }
  if (!method->is_string()) return "method is not a string";
  if (id == nullptr) return {};  // a notification
  message.request_ids.push_back(*id);
  if (method->as_string() == "initialize") message.initialize = true;
  return {};
}

}  // namespace

std::variant<ClientMessage, MessageRefusal> read_client_message(std::string line) {
  boost::system::error_code ec;
  auto value = json::parse(line, ec);
  if (ec) return MessageRefusal{kParseError, "Parse error: " + ec.message()};
  ClientMessage message;
  std::string problem;
  if (auto* batch = value.if_array()) {
    message.batch = true;
    if (batch->empty()) problem = "an empty batch";
    for (const auto& item : *batch) {
      if (problem.empty()) problem = read_one(item, message);
    }
  } else {
    problem = read_one(value, message);
  }
  if (!problem.empty()) return MessageRefusal{kInvalidRequest, "Invalid Request: " + problem};
  message.text = std::move(line);
  return message;
}

std::string error_reply_line(const json::value& id, std::int64_t code, std::string_view message) {
  json::object error;
  error["code"] = code;
  error["message"] = message;
  json::object reply;
  reply["jsonrpc"] = "2.0";
  reply["id"] = id;
  reply["error"] = std::move(error);
  return blender_bus::json::to_text(reply);
}

std::string as_one_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.find_first_of("\r\n") == std::string::npos) return text;
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  if (ec) {
    for (auto& c : text) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    return text;
  }
  return blender_bus::json::to_text(value);
}

}  // namespace blender_bus::cli
