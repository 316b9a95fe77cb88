#include "bus/forwarded_record.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace blender_bus::bus {
namespace {

TEST(ForwardedRecord, ExactWireText) {
  const boost::json::object routing = {{"type", "group"}, {"group_id", "render-cluster"}};
  const ForwardedRecord record(RecordFields{"alice", "llm-1", routing,
                                            R"({"message_type":"job_dispatch","job_id":"job-1"})",
                                            "job-1", "m-1", Priority::warning, 2.5});
  EXPECT_EQ(record.for_target("blender-1"),
            R"({"jsonrpc":"2.0","method":"notifications/message","params":{"level":"warning",)"
            R"("logger":"_message_bus","data":{"user_id":"alice","from_uuid":"llm-1",)"
            R"("target_uuid":"blender-1","routing":{"type":"group","group_id":"render-cluster"},)"
            R"("payload":{"message_type":"job_dispatch","job_id":"job-1"},"job_id":"job-1",)"
            R"("message_id":"m-1","priority":4,"timestamp":2.5}}})");
}

TEST(ForwardedRecord, ASharedBusRecordCarriesBusIdAfterTheSpecKeys) {
  const boost::json::object routing = {{"type", "broadcast"}};
  const ForwardedRecord record(
      RecordFields{"mia", "server:mia", routing, "{}", "j", "m", Priority::info, 1.5, "bus_0a"});
  EXPECT_EQ(record.for_target("b"),
            R"({"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info",)"
            R"("logger":"_message_bus","data":{"user_id":"mia","from_uuid":"server:mia",)"
            R"("target_uuid":"b","routing":{"type":"broadcast"},"payload":{},"job_id":"j",)"
            R"("message_id":"m","priority":6,"timestamp":1.5,"bus_id":"bus_0a"}}})");
}

TEST(ForwardedRecord, TheTimestampIsWrittenAsPythonWritesAFloat) {
  const boost::json::object routing = {{"type", "broadcast"}};
  for (const auto& [timestamp, text] :
       {std::pair{1796125004.967525, "1796125004.967525"}, std::pair{1706200000.0, "1706200000.0"},
        std::pair{0.0, "0.0"}}) {
    const ForwardedRecord record(
        RecordFields{"u", "server:u", routing, "{}", "j", "m", Priority::info, timestamp});
    const std::string wire = record.for_target("a");
    EXPECT_NE(wire.find(std::string(R"("timestamp":)") + text + "}}}"), std::string::npos) << wire;
  }
}

TEST(ForwardedRecord, OnlyTheTargetDiffers) {
  const boost::json::object routing = {{"type", "broadcast"}};
  const ForwardedRecord record(
      RecordFields{"u", "server:u", routing, "{}", "j", "m", Priority::info, 1.0});
  auto a = boost::json::parse(record.for_target("a")).as_object();
  auto b = boost::json::parse(record.for_target("b")).as_object();
  EXPECT_EQ(a.at("params").at("data").at("target_uuid"), "a");
  EXPECT_EQ(b.at("params").at("data").at("target_uuid"), "b");
  b.at("params").as_object().at("data").as_object()["target_uuid"] = "a";
  EXPECT_EQ(a, b);
}

TEST(ForwardedRecord, StringsAreJsonEscaped) {
  const boost::json::object routing = {{"type", "direct"}, {"target_uuid", "we\"ird\n"}};
  const ForwardedRecord record(RecordFields{"us\"er", "from\\me", routing, R"({"k":"v"})", "job\t1",
                                            "m", Priority::emergency, 0.25});
  const std::string text = record.for_target("we\"ird\n");
  const auto parsed = boost::json::parse(text).as_object();  // throws if not JSON
  const auto& data = parsed.at("params").at("data").as_object();
  EXPECT_EQ(data.at("user_id"), "us\"er");
  EXPECT_EQ(data.at("from_uuid"), "from\\me");
  EXPECT_EQ(data.at("target_uuid"), "we\"ird\n");
  EXPECT_EQ(data.at("job_id"), "job\t1");
  EXPECT_EQ(data.at("priority"), 0);
  EXPECT_EQ(parsed.at("params").at("level"), "emergency");
}

}  // namespace
}  // namespace blender_bus::bus
