#include "cli/json_rpc.hpp"

#include <gtest/gtest.h>

namespace blender_bus::cli {
namespace {

namespace json = boost::json;

TEST(JsonRpc, RequestHasVersionIdMethodParams) {
  auto text = make_request(7, "tools/call", {{"name", "x"}});
  auto value = json::parse(text).as_object();
  EXPECT_EQ(value.at("jsonrpc"), "2.0");
  EXPECT_EQ(value.at("id"), 7);
  EXPECT_EQ(value.at("method"), "tools/call");
  EXPECT_EQ(value.at("params").at("name"), "x");
}

TEST(JsonRpc, NotificationHasNoIdAndOmitsEmptyParams) {
  auto value = json::parse(make_notification("notifications/initialized", {})).as_object();
  EXPECT_EQ(value, (json::object{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}));
}

TEST(JsonRpc, ParsesResult) {
  auto message = parse_message(R"({"jsonrpc":"2.0","id":3,"result":{"ok":true}})");
  auto* result = std::get_if<RpcResult>(&message);
  ASSERT_NE(result, nullptr);
  EXPECT_TRUE(id_matches(result->id, 3));
  EXPECT_FALSE(id_matches(result->id, 4));
  EXPECT_EQ(result->result.at("ok"), true);
}

TEST(JsonRpc, ParsesErrorWithNullId) {
  auto message = parse_message(
      R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}})");
  auto* error = std::get_if<RpcErrorReply>(&message);
  ASSERT_NE(error, nullptr);
  EXPECT_TRUE(error->id.is_null());
  EXPECT_EQ(error->code, -32700);
  EXPECT_EQ(error->message, "Parse error");
}

TEST(JsonRpc, ParsesNotificationAndServerRequest) {
  auto note = parse_message(
      R"({"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":{}}})");
  ASSERT_TRUE(std::holds_alternative<RpcNotification>(note));
  EXPECT_EQ(std::get<RpcNotification>(note).method, "notifications/message");
  EXPECT_EQ(std::get<RpcNotification>(note).params.at("level"), "info");
  auto request = parse_message(R"({"jsonrpc":"2.0","id":"s1","method":"ping"})");
  ASSERT_TRUE(std::holds_alternative<RpcServerRequest>(request));
  EXPECT_EQ(std::get<RpcServerRequest>(request).id, "s1");
}

TEST(JsonRpc, RejectsWhatIsNotJsonRpc) {
  EXPECT_THROW(parse_message("{"), RpcFramingError);
  EXPECT_THROW(parse_message("[]"), RpcFramingError);
  EXPECT_THROW(parse_message(R"({"id":1,"result":{}})"), RpcFramingError);
  EXPECT_THROW(parse_message(R"({"jsonrpc":"1.0","id":1,"result":{}})"), RpcFramingError);
  EXPECT_THROW(parse_message(R"({"jsonrpc":"2.0","id":1})"), RpcFramingError);
  EXPECT_THROW(parse_message(R"({"jsonrpc":"2.0","method":"x","params":[1]})"), RpcFramingError);
}

TEST(JsonRpc, IdMatchesUnsignedAndDoubleEchoes) {
  EXPECT_TRUE(id_matches(json::value(std::uint64_t{5}), 5));
  EXPECT_TRUE(id_matches(json::value(5.0), 5));
  EXPECT_FALSE(id_matches(json::value("5"), 5));
}

TEST(JsonRpc, RpcErrorCarriesCodeAndMessage) {
  RpcError error(-32602, "Unknown tool: nope");
  EXPECT_EQ(error.code(), -32602);
  EXPECT_STREQ(error.what(), "Unknown tool: nope (JSON-RPC error -32602)");
}

}  // namespace
}  // namespace blender_bus::cli
