#include "cli/client_message.hpp"

#include <gtest/gtest.h>

namespace blender_bus::cli {
namespace {

namespace json = boost::json;

ClientMessage read_ok(const std::string& line) {
  auto read = read_client_message(line);
  EXPECT_TRUE(std::holds_alternative<ClientMessage>(read)) << line;
  return std::get<ClientMessage>(std::move(read));
}

MessageRefusal read_refused(const std::string& line) {
  auto read = read_client_message(line);
  EXPECT_TRUE(std::holds_alternative<MessageRefusal>(read)) << line;
  return std::get<MessageRefusal>(std::move(read));
}

TEST(ClientMessage, ARequestKeepsItsIdAsSentAndItsTextUntouched) {
  const std::string line = R"({"jsonrpc":"2.0","id":"abc","method":"tools/list"})";
  auto message = read_ok(line);
  EXPECT_EQ(message.text, line);
  ASSERT_EQ(message.request_ids.size(), 1u);
  EXPECT_EQ(message.request_ids[0], json::value("abc"));
  EXPECT_FALSE(message.initialize);
  EXPECT_TRUE(message.expects_answer());
}

TEST(ClientMessage, InitializeIsMarked) {
  auto message = read_ok(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{}})");
  EXPECT_TRUE(message.initialize);
  EXPECT_EQ(message.request_ids[0], json::value(0));
}

TEST(ClientMessage, NotificationsAndResponsesAwaitNothing) {
  EXPECT_FALSE(
      read_ok(R"({"jsonrpc":"2.0","method":"notifications/initialized"})").expects_answer());
  EXPECT_FALSE(read_ok(R"({"jsonrpc":"2.0","id":7,"result":{}})").expects_answer());
  EXPECT_FALSE(
      read_ok(R"({"jsonrpc":"2.0","id":7,"error":{"code":1,"message":"no"}})").expects_answer());
}

TEST(ClientMessage, ABatchCollectsTheIdsOfItsRequests) {
  auto message =
      read_ok(R"([{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"n"},)"
              R"({"jsonrpc":"2.0","id":2,"method":"ping"}])");
  EXPECT_TRUE(message.batch);
  EXPECT_EQ(message.request_ids, (std::vector<json::value>{1, 2}));
}

TEST(ClientMessage, RefusalsCarryTheJsonRpcCode) {
  EXPECT_EQ(read_refused("not json").code, -32700);
  EXPECT_EQ(read_refused("[]").code, -32600);
  EXPECT_EQ(read_refused(R"({"id":1,"method":"ping"})").code, -32600);
  EXPECT_EQ(read_refused(R"({"jsonrpc":"2.0","id":1})").code, -32600);
  EXPECT_EQ(read_refused(R"({"jsonrpc":"2.0","id":1,"method":5})").code, -32600);
  EXPECT_EQ(read_refused(R"([{"jsonrpc":"2.0","method":"n"},3])").code, -32600);
}

TEST(ClientMessage, ErrorReplyLine) {
  EXPECT_EQ(error_reply_line(json::value(3), -32000, "down"),
            R"({"jsonrpc":"2.0","id":3,"error":{"code":-32000,"message":"down"}})");
  EXPECT_EQ(error_reply_line(nullptr, -32700, "x"),
            R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}})");
}

TEST(ClientMessage, AsOneLineFoldsPrettyJsonAndTrimsTheNewline) {
  EXPECT_EQ(as_one_line("{\"a\":1}\n"), "{\"a\":1}");
  EXPECT_EQ(as_one_line("{\n  \"a\": [1,\n 2]\n}"), "{\"a\":[1,2]}");
}

}  // namespace
}  // namespace blender_bus::cli
