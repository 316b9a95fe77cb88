// JSON-RPC classification and params, and the dispatcher behind them, with
// the real tools, resources and prompt on an in-memory bus. The first byte
// picks the session's protocol version; the rest is one POST body per line,
// sent in order on one session (a second session of the same user holds
// clients too, so that records have somewhere to go).
//
// Invariants: a body that does not parse or classify is refused with -32700
// or -32600 and a message; every request is answered once (unless cancelled
// earlier in the same input), notifications and responses never are; an
// answer is JSON-RPC 2.0 with the request's id and exactly one of result and
// error, an error code the server uses and a message; every answer is valid
// JSON as serialized; tool results are well-formed CallToolResults; every
// record pushed to a stream is a notifications/message.
#include <boost/json.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "bus_world.hpp"
#include "mcp/dispatcher.hpp"
#include "mcp/incoming_payload.hpp"
#include "mcp/protocol_version.hpp"

namespace {

namespace json = boost::json;
namespace mcp = blender_bus::mcp;
using blender_bus::fuzz::BusWorld;

constexpr std::size_t kMaxBodies = 32;

bool known_error_code(std::int64_t code) {
  namespace code_of = mcp::error_code;
  return code == code_of::parse_error || code == code_of::invalid_request ||
         code == code_of::method_not_found || code == code_of::invalid_params ||
         code == code_of::internal_error || code == code_of::resource_not_found;
}

// The answer as the transport writes it must parse back (UTF-8 included).
json::object reparsed(const json::value& answer) {
  boost::system::error_code ec;
  json::value value = json::parse(json::serialize(answer), ec);
  FUZZ_CHECK(!ec, "an answer is not valid JSON once serialized: " + ec.message());
  FUZZ_CHECK(value.is_object(), "an answer is not an object");
  return std::move(value.get_object());
}

void check_error(const json::object& error) {
  const auto* code = error.if_contains("code");
  FUZZ_CHECK(code && code->is_int64() && known_error_code(code->get_int64()),
             "an error with a code the server does not use");
  const auto* message = error.if_contains("message");
  FUZZ_CHECK(message && message->is_string() && !message->get_string().empty(),
             "an error without a message");
}

void check_result(std::string_view method, const json::object& result) {
  if (method == "tools/call") {
    blender_bus::fuzz::check_tool_result(result);
  } else if (method == "resources/read") {
    const auto& contents = result.at("contents").as_array();
    FUZZ_CHECK(contents.size() == 1, "resources/read without exactly one content");
    boost::system::error_code ec;
    (void)json::parse(contents[0].at("text").as_string(), ec);
    FUZZ_CHECK(!ec, "a resource's text is not JSON");
  } else if (method == "prompts/get") {
    FUZZ_CHECK(result.contains("messages") && result.at("messages").is_array(),
               "a prompt without messages");
  }
}

void check_answer(const mcp::RpcMessage& request, const json::object& answer) {
  const json::object parsed = reparsed(answer);
  FUZZ_CHECK(parsed.contains("jsonrpc") && parsed.at("jsonrpc") == "2.0", "an answer without 2.0");
  FUZZ_CHECK(parsed.contains("id") && parsed.at("id") == request.id,
             "an answer with another id than its request's");
  const auto* result = parsed.if_contains("result");
  const auto* error = parsed.if_contains("error");
  FUZZ_CHECK((result != nullptr) != (error != nullptr), "an answer needs one of result and error");
  if (error) {
    FUZZ_CHECK(error->is_object(), "an error that is not an object");
    check_error(error->get_object());
  } else {
    FUZZ_CHECK(result->is_object(), "a result that is not an object");
    check_result(request.method, result->get_object());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  BusWorld world;
  mcp::Dispatcher dispatcher({"blender-bus", "0.0.0-fuzz", "Use the bus."}, world.tools,
                             world.resources, world.prompts);
  const mcp::SessionPtr session = world.sessions.create("alice");
  const mcp::SessionPtr peer = world.add_peers();

  const std::string_view version =
      bytes[0] % 4 < 3 ? mcp::kSupportedProtocolVersions[bytes[0] % 4] : "1999-01-01";
  session->set_protocol_version(std::string(version));
  std::string_view rest(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  std::set<std::string> cancelled;
  for (std::size_t n = 0; n < kMaxBodies && !rest.empty(); ++n) {
    const std::size_t newline = rest.find('\n');
    const std::string_view body = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1);

    auto parsed = mcp::parse_incoming_payload(body, version);
    if (auto* error = std::get_if<mcp::RpcError>(&parsed)) {
      FUZZ_CHECK(error->code == mcp::error_code::parse_error ||
                     error->code == mcp::error_code::invalid_request,
                 "a refused body with a code other than -32700/-32600");
      const json::object refusal = reparsed(mcp::make_error(nullptr, *error));
      check_error(refusal.at("error").as_object());
      continue;
    }
    auto& payload = std::get<mcp::IncomingPayload>(parsed);
    FUZZ_CHECK(!payload.messages.empty(), "a payload without messages");
    FUZZ_CHECK(!payload.is_batch || version == "2025-03-26", "a batch outside 2025-03-26");
    for (auto& message : payload.messages) {
      if (message.kind == mcp::MessageKind::notification &&
          message.method == "notifications/cancelled" && message.params.is_object()) {
        if (const auto* id = message.params.get_object().if_contains("requestId")) {
          cancelled.insert(json::serialize(*id));
        }
      }
      if (message.method == "tools/call" && message.params.is_object()) {
        if (auto* arguments = message.params.get_object().if_contains("arguments");
            arguments && arguments->is_object()) {
          blender_bus::fuzz::shorten_waits(arguments->get_object());
        }
      }
      const mcp::RpcMessage request{message.kind, message.id, message.method, message.params};
      auto answer =
          world.run(dispatcher.handle(session, std::move(message), world.io.get_executor()));
      if (request.kind != mcp::MessageKind::request) {
        FUZZ_CHECK(!answer, "a notification or response was answered");
        continue;
      }
      if (!answer) {
        FUZZ_CHECK(cancelled.contains(json::serialize(request.id)),
                   "a request was not answered and not cancelled");
        continue;
      }
      check_answer(request, *answer);
    }
    world.check_streams(session);
    world.check_streams(peer);
  }
  return 0;
}
