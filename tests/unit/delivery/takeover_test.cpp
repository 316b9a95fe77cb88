// A registration that takes a uuid away from another session (a takeover):
// the registration reports the displaced session, and that session's stream
// reads one `client_displaced` record, which it acknowledges like any other.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "../bus/test_support.hpp"
#include "delivery/embedded/user_message_bus.hpp"

namespace blender_bus::delivery::embedded {
namespace {

using boost::json::serialize;

class TakeoverTest : public ::testing::Test {
 protected:
  TakeoverTest() : bus_("alice", clock_.clock(), bus::test::counting_random(), bus::Limits{}) {}

  Outcome reg(const std::string& uuid, const std::string& session) {
    return bus_.register_client(
        bus::Registration{uuid, "blender", true, {"python_execution"}, "render", session});
  }
  static boost::json::object message_of(const InboxItem& item) {
    return bus::test::parse_object(*item.text);
  }

  bus::test::ManualClock clock_;
  UserMessageBus bus_;
};

TEST_F(TakeoverTest, ARegistrationFromAnotherSessionNamesTheDisplacedOne) {
  EXPECT_EQ(reg("b-1", "s-old").displaced_session, std::nullopt);
  EXPECT_EQ(reg("b-1", "s-old").displaced_session, std::nullopt) << "same session: no takeover";
  EXPECT_EQ(reg("b-1", "s-new").displaced_session, "s-old");
  EXPECT_EQ(bus_.clients_for_session("s-new"), std::vector<std::string>{"b-1"});
}

TEST_F(TakeoverTest, TheDisplacedSessionReadsOneNoticeWithTheExactShape) {
  reg("b-1", "s-old");
  clock_.set(7.5);
  reg("b-1", "s-new");
  const SessionRead read = bus_.read_session("s-old", 10);
  ASSERT_EQ(read.items.size(), 1u);
  EXPECT_EQ(read.items[0].seq, 1u);
  EXPECT_EQ(read.items[0].level, bus::Priority::warning);
  const auto message = message_of(read.items[0]);
  EXPECT_EQ(message.at("method"), "notifications/message");
  EXPECT_EQ(message.at("params").at("level"), "warning");
  EXPECT_EQ(message.at("params").at("logger"), "_message_bus");
  const auto& data = message.at("params").at("data").as_object();
  EXPECT_EQ(data.at("from_uuid"), "server:alice");
  EXPECT_EQ(data.at("target_uuid"), "b-1");
  EXPECT_EQ(serialize(data.at("routing")), R"({"type":"direct","target_uuid":"b-1"})");
  EXPECT_EQ(serialize(data.at("payload")), R"({"kind":"client_displaced","client_uuid":"b-1",)"
                                           R"("reason":"registered from another session"})");
  EXPECT_EQ(data.at("job_id"), data.at("message_id"));
  EXPECT_EQ(data.at("priority"), 4);
  EXPECT_EQ(data.at("timestamp"), 7.5);
  // The new session's stream hears nothing of it.
  EXPECT_TRUE(bus_.read_session("s-new", 10).items.empty());
}

TEST_F(TakeoverTest, TheNoticeStaysUntilItsStreamAcknowledgesIt) {
  reg("b-1", "s-old");
  reg("b-1", "s-new");
  const SessionRead first = bus_.read_session("s-old", 10);
  ASSERT_EQ(first.items.size(), 1u);
  // Not yet written (say the write failed): read again.
  EXPECT_EQ(bus_.read_session("s-old", 10).items.size(), 1u);
  bus_.mark_delivered(first.progress, "s-old");
  EXPECT_TRUE(bus_.read_session("s-old", 10).items.empty());
}

TEST_F(TakeoverTest, TheNoticeMergesBySeqWithTheSessionsOtherClients) {
  bus_.register_client(bus::Registration{"llm-1", "llm", false, {}, std::nullopt, "s-old"});
  reg("b-1", "s-old");
  bus_.send(boost::json::object{{"n", 1}}, bus::SendRequest{"llm-1"});  // seq 1
  reg("b-1", "s-new");                                                  // notice, seq 2
  bus_.send(boost::json::object{{"n", 2}}, bus::SendRequest{"llm-1"});  // seq 3
  const SessionRead read = bus_.read_session("s-old", 10);
  ASSERT_EQ(read.items.size(), 3u);
  EXPECT_EQ(read.items[0].seq, 1u);
  EXPECT_EQ(read.items[1].seq, 2u);
  EXPECT_EQ(read.items[2].seq, 3u);
  EXPECT_EQ(message_of(read.items[1]).at("params").at("data").at("payload").at("kind"),
            "client_displaced");
}

TEST_F(TakeoverTest, AResumeAfterTheNoticeOrTheSessionsEndDropsIt) {
  reg("b-1", "s-old");
  reg("b-1", "s-new");
  std::vector<CursorUpdate> changed;
  EXPECT_EQ(bus_.resume_session("s-old", 1, changed), ResumeResult::ok);
  EXPECT_TRUE(bus_.read_session("s-old", 10).items.empty());

  reg("b-1", "s-old");  // takes it back: now s-new is displaced
  ASSERT_EQ(bus_.read_session("s-new", 10).items.size(), 1u);
  bus_.on_session_end("s-new");
  EXPECT_TRUE(bus_.read_session("s-new", 10).items.empty());
}

TEST_F(TakeoverTest, AClientWhoseSessionEndedIsNotTakenOver) {
  reg("b-1", "s-old");
  bus_.on_session_end("s-old");  // persistent: stays, unbound
  EXPECT_EQ(reg("b-1", "s-new").displaced_session, std::nullopt);
  EXPECT_TRUE(bus_.read_session("s-old", 10).items.empty());
}

}  // namespace
}  // namespace blender_bus::delivery::embedded
