#include "mcp/json_rpc.hpp"

#include <gtest/gtest.h>

#include "mcp/incoming_payload.hpp"

namespace blender_bus::mcp {
namespace {

namespace json = boost::json;

RpcMessage classify_ok(std::string_view text) {
  auto result = classify_message(json::parse(text));
  EXPECT_TRUE(std::holds_alternative<RpcMessage>(result)) << text;
  return std::get<RpcMessage>(result);
}

int classify_error(std::string_view text) {
  auto result = classify_message(json::parse(text));
  EXPECT_TRUE(std::holds_alternative<RpcError>(result)) << text;
  return std::holds_alternative<RpcError>(result) ? std::get<RpcError>(result).code : 0;
}

TEST(JsonRpcTest, ClassifiesRequestsNotificationsAndResponses) {
  auto request = classify_ok(R"({"jsonrpc":"2.0","id":7,"method":"ping"})");
  EXPECT_EQ(request.kind, MessageKind::request);
  EXPECT_EQ(request.id, json::value(7));
  EXPECT_EQ(request.method, "ping");

  auto string_id = classify_ok(R"({"jsonrpc":"2.0","id":"a","method":"tools/list","params":{}})");
  EXPECT_EQ(string_id.id, json::value("a"));
  EXPECT_TRUE(string_id.params.is_object());

  auto notification = classify_ok(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  EXPECT_EQ(notification.kind, MessageKind::notification);
  EXPECT_TRUE(notification.id.is_null());

  auto response = classify_ok(R"({"jsonrpc":"2.0","id":3,"result":{}})");
  EXPECT_EQ(response.kind, MessageKind::response);
}

TEST(JsonRpcTest, RejectsWhatIsNotJsonRpc) {
  EXPECT_EQ(classify_error(R"([1,2])"), error_code::invalid_request);
  EXPECT_EQ(classify_error(R"("ping")"), error_code::invalid_request);
  EXPECT_EQ(classify_error(R"({"id":1,"method":"ping"})"), error_code::invalid_request);
  EXPECT_EQ(classify_error(R"({"jsonrpc":"1.0","id":1,"method":"ping"})"),
            error_code::invalid_request);
  EXPECT_EQ(classify_error(R"({"jsonrpc":"2.0","id":1,"method":5})"), error_code::invalid_request);
  EXPECT_EQ(classify_error(R"({"jsonrpc":"2.0","id":1,"method":""})"), error_code::invalid_request);
  EXPECT_EQ(classify_error(R"({"jsonrpc":"2.0","id":{"x":1},"method":"ping"})"),
            error_code::invalid_request);
  EXPECT_EQ(classify_error(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":3})"),
            error_code::invalid_request);
  EXPECT_EQ(classify_error(R"({"jsonrpc":"2.0","id":1})"), error_code::invalid_request);
}

TEST(JsonRpcTest, BuildsResultsErrorsAndNotifications) {
  EXPECT_EQ(json::serialize(make_result(1, json::object{})), R"({"jsonrpc":"2.0","id":1,"result":{}})");
  EXPECT_EQ(json::serialize(make_error("x", RpcError{error_code::method_not_found, "nope"})),
            R"({"jsonrpc":"2.0","id":"x","error":{"code":-32601,"message":"nope"}})");
  EXPECT_EQ(json::serialize(make_notification("notifications/message", json::object{{"a", 1}})),
            R"({"jsonrpc":"2.0","method":"notifications/message","params":{"a":1}})");
}

TEST(IncomingPayloadTest, UnparsableJsonIsAParseError) {
  auto parsed = parse_incoming_payload("{not json", "2025-06-18");
  ASSERT_TRUE(std::holds_alternative<RpcError>(parsed));
  EXPECT_EQ(std::get<RpcError>(parsed).code, error_code::parse_error);
}

TEST(IncomingPayloadTest, BatchesOnlyUnder20250326) {
  const std::string batch =
      R"([{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"}])";
  auto old_revision = parse_incoming_payload(batch, "2025-03-26");
  ASSERT_TRUE(std::holds_alternative<IncomingPayload>(old_revision));
  EXPECT_TRUE(std::get<IncomingPayload>(old_revision).is_batch);
  EXPECT_EQ(std::get<IncomingPayload>(old_revision).messages.size(), 2u);

  for (const char* version : {"2025-06-18", "2025-11-25"}) {
    auto newer = parse_incoming_payload(batch, version);
    ASSERT_TRUE(std::holds_alternative<RpcError>(newer)) << version;
    EXPECT_EQ(std::get<RpcError>(newer).code, error_code::invalid_request);
  }
  auto empty = parse_incoming_payload("[]", "2025-03-26");
  ASSERT_TRUE(std::holds_alternative<RpcError>(empty));
  EXPECT_EQ(std::get<RpcError>(empty).code, error_code::invalid_request);
}

TEST(IncomingPayloadTest, ABatchWithAnInvalidMemberIsRejectedWhole) {
  auto parsed = parse_incoming_payload(R"([{"jsonrpc":"2.0","id":1,"method":"ping"},{"x":1}])",
                                       "2025-03-26");
  ASSERT_TRUE(std::holds_alternative<RpcError>(parsed));
  EXPECT_EQ(std::get<RpcError>(parsed).code, error_code::invalid_request);
}

}  // namespace
}  // namespace blender_bus::mcp
