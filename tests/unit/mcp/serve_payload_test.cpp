#include "mcp/serve_payload.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace blender_bus::mcp {
namespace {

class ServePayloadTest : public ::testing::Test {
 protected:
  PayloadAnswer serve(std::string_view body) {
    auto parsed = parse_incoming_payload(body, "2025-03-26");
    EXPECT_TRUE(std::holds_alternative<IncomingPayload>(parsed)) << body;
    auto future = boost::asio::co_spawn(
        io_,
        serve_payload(dispatcher_, session_, std::get<IncomingPayload>(std::move(parsed)),
                      io_.get_executor()),
        boost::asio::use_future);
    io_.restart();
    io_.run();
    return future.get();
  }

  ToolRegistry tools_;
  ResourceRegistry resources_;
  PromptRegistry prompts_;
  Dispatcher dispatcher_{ServerIdentity{"blender-bus", "0", ""}, tools_, resources_, prompts_};
  SessionPtr session_ = std::make_shared<Session>("s", "alice");
  boost::asio::io_context io_;
};

TEST_F(ServePayloadTest, OneRequestIsAnsweredWithItsResponseAsText) {
  const PayloadAnswer answer = serve(R"({"jsonrpc":"2.0","id":7,"method":"ping"})");
  EXPECT_EQ(answer.body, R"({"jsonrpc":"2.0","id":7,"result":{}})");
  EXPECT_FALSE(answer.initialize_failed);
}

TEST_F(ServePayloadTest, ABatchIsAnsweredWithTheArrayOfItsResponsesInOrder) {
  const PayloadAnswer answer = serve(R"([{"jsonrpc":"2.0","id":1,"method":"ping"},)"
                                     R"({"jsonrpc":"2.0","method":"notifications/initialized"},)"
                                     R"({"jsonrpc":"2.0","id":2,"method":"ping"}])");
  EXPECT_EQ(answer.body,
            R"([{"jsonrpc":"2.0","id":1,"result":{}},{"jsonrpc":"2.0","id":2,"result":{}}])");
}

TEST_F(ServePayloadTest, NotificationsAloneAreAnsweredWithNothing) {
  EXPECT_EQ(serve(R"({"jsonrpc":"2.0","method":"notifications/initialized"})").body, "");
}

TEST_F(ServePayloadTest, AFailedInitializeSaysSo) {
  const PayloadAnswer answer =
      serve(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":5}})");
  EXPECT_NE(answer.body.find(R"("error")"), std::string::npos) << answer.body;
  EXPECT_TRUE(answer.initialize_failed);
}

}  // namespace
}  // namespace blender_bus::mcp
