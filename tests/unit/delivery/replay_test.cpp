// Inbox delivery on a user's bus (SPEC §9): one seq across a session's
// clients, stream reads and acknowledgements, Last-Event-ID resumption,
// re-registration on a new session, the pull path and restore.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "../bus/test_support.hpp"
#include "delivery/embedded/user_message_bus.hpp"

namespace blender_bus::delivery::embedded {
namespace {

class ReplayTest : public ::testing::Test {
 protected:
  ReplayTest()
      : bus_("alice", clock_.clock(), bus::test::counting_random(), bus::Limits{}, policy()) {}

  static DeliveryPolicy policy() {
    DeliveryPolicy p;
    p.inbox.max_records = 4;
    return p;
  }

  void reg(const std::string& uuid, const std::string& session, bool persistent = true) {
    bus_.register_client(bus::Registration{uuid, "blender", persistent, {}, std::nullopt, session});
  }
  std::uint64_t send_to(const std::string& uuid, int n) {
    auto out = bus_.send(boost::json::object{{"n", n}}, bus::SendRequest{uuid});
    EXPECT_EQ(out.deliveries.size(), 1u);
    return out.deliveries.empty() ? 0 : out.deliveries[0].seq;
  }
  static int n_of(const InboxItem& item) {
    return static_cast<int>(bus::test::parse_object(*item.text)
                                .at("params")
                                .at("data")
                                .at("payload")
                                .at("n")
                                .as_int64());
  }
  static std::vector<std::uint64_t> seqs(const SessionRead& read) {
    std::vector<std::uint64_t> out;
    for (const auto& i : read.items) out.push_back(i.seq);
    return out;
  }

  bus::test::ManualClock clock_;
  UserMessageBus bus_;
};

TEST_F(ReplayTest, OneSeqAcrossTheClientsOfASessionMergedInOrder) {
  reg("a", "s-1");
  reg("b", "s-1");
  reg("c", "s-2");
  EXPECT_EQ(send_to("a", 1), 1u);
  EXPECT_EQ(send_to("c", 2), 2u);
  EXPECT_EQ(send_to("b", 3), 3u);
  EXPECT_EQ(send_to("a", 4), 4u);
  const SessionRead read = bus_.read_session("s-1", 10);
  EXPECT_EQ(seqs(read), (std::vector<std::uint64_t>{1, 3, 4}));
  EXPECT_EQ(seqs(bus_.read_session("s-2", 10)), (std::vector<std::uint64_t>{2}));
  EXPECT_EQ(bus_.last_record_seq(), 4u);
}

TEST_F(ReplayTest, ALimitedReadAcknowledgesOnlyWhatItCovered) {
  reg("a", "s-1");
  reg("b", "s-1");
  send_to("a", 1);
  send_to("b", 2);
  send_to("a", 3);
  SessionRead first = bus_.read_session("s-1", 2);
  EXPECT_EQ(seqs(first), (std::vector<std::uint64_t>{1, 2}));
  // Unacknowledged: read again.
  EXPECT_EQ(seqs(bus_.read_session("s-1", 2)), (std::vector<std::uint64_t>{1, 2}));
  bus_.mark_delivered(first.progress);
  EXPECT_EQ(seqs(bus_.read_session("s-1", 10)), (std::vector<std::uint64_t>{3}));
}

TEST_F(ReplayTest, ResumeReplaysAfterTheIdAndRefusesWhatWasNeverIssuedOrIsGone) {
  reg("a", "s-1");
  for (int n = 1; n <= 3; ++n) send_to("a", n);
  bus_.mark_delivered(bus_.read_session("s-1", 10).progress);
  EXPECT_TRUE(bus_.read_session("s-1", 10).items.empty());
  std::vector<CursorUpdate> changed;
  EXPECT_EQ(bus_.resume_session("s-1", 1, changed), ResumeResult::ok);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_TRUE(changed[0].exact);
  EXPECT_EQ(changed[0].delivered, 1u);
  const SessionRead replay = bus_.read_session("s-1", 10);
  ASSERT_EQ(replay.items.size(), 2u);
  EXPECT_EQ(n_of(replay.items[0]), 2);
  EXPECT_EQ(n_of(replay.items[1]), 3);
  EXPECT_EQ(bus_.resume_session("s-1", 4, changed), ResumeResult::not_issued);
  // Four more: the inbox (bound 4) evicts 1..3; resuming from 1 would miss 2 and 3.
  for (int n = 4; n <= 7; ++n) send_to("a", n);
  EXPECT_EQ(bus_.resume_session("s-1", 1, changed), ResumeResult::not_retained);
  EXPECT_EQ(bus_.resume_session("s-1", 3, changed), ResumeResult::ok);
}

TEST_F(ReplayTest, RecordsWaitForAPersistentClientAndFollowItToItsNewSession) {
  reg("a", "s-1");
  bus_.on_session_end("s-1");
  EXPECT_EQ(bus_.find("a")->session_id, "");
  send_to("a", 1);
  send_to("a", 2);
  EXPECT_EQ(bus_.stats().pending_records, 2u);
  reg("a", "s-2");
  const SessionRead read = bus_.read_session("s-2", 10);
  ASSERT_EQ(read.items.size(), 2u);
  EXPECT_EQ(n_of(read.items[0]), 1);
  bus_.mark_delivered(read.progress);
  EXPECT_EQ(bus_.stats().pending_records, 0u);
}

TEST_F(ReplayTest, AnEphemeralClientsInboxLeavesWithIt) {
  reg("e", "s-1", false);
  send_to("e", 1);
  bus_.on_session_end("s-1");
  EXPECT_FALSE(bus_.find("e"));
  EXPECT_EQ(bus_.stats().pending_records, 0u);
}

TEST_F(ReplayTest, DropsAreCountedInStatsAndPerClient) {
  reg("a", "s-1");
  for (int n = 1; n <= 6; ++n) send_to("a", n);
  EXPECT_EQ(bus_.stats().dropped_records, 2u);
  const auto list = bus_.list_clients();
  EXPECT_EQ(list.at("persistent").at(0).at("dropped_records"), 2);
  EXPECT_EQ(list.at("persistent").at(0).at("pending_records"), 4);
}

TEST_F(ReplayTest, PullReadsAfterACursorAndAcknowledgesWithIt) {
  reg("a", "s-1");
  send_to("a", 1);
  send_to("a", 2);
  PullRead first = bus_.receive("a", std::nullopt, 1);
  ASSERT_TRUE(first.found);
  ASSERT_EQ(first.items.size(), 1u);
  EXPECT_EQ(first.next, 1u);
  EXPECT_FALSE(first.cursor);  // no `after`: nothing acknowledged
  PullRead second = bus_.receive("a", first.next, 10);
  ASSERT_EQ(second.items.size(), 1u);
  EXPECT_EQ(n_of(second.items[0]), 2);
  ASSERT_TRUE(second.cursor);
  EXPECT_EQ(second.cursor->delivered, 1u);
  EXPECT_TRUE(bus_.has_records_after("a", std::nullopt));
  EXPECT_FALSE(bus_.has_records_after("a", 2));
  EXPECT_FALSE(bus_.receive("nobody", std::nullopt, 10).found);
}

TEST_F(ReplayTest, LivenessFromPresence) {
  reg("a", "s-1");
  reg("b", "s-2");
  clock_.set(2000.5);
  const PresenceLookup presence = [](std::string_view id) -> std::optional<SessionPresence> {
    if (id == "s-1") return SessionPresence{true, 1500};
    return std::nullopt;  // s-2 ended
  };
  const auto list = bus_.list_clients(presence);
  const auto& a = list.at("persistent").at(0).as_object();
  const auto& b = list.at("persistent").at(1).as_object();
  EXPECT_EQ(a.at("online"), true);
  EXPECT_EQ(a.at("last_seen"), 1500.0);
  EXPECT_EQ(a.at("stale"), false);
  EXPECT_EQ(b.at("online"), false);
  EXPECT_EQ(b.at("stale"), true);  // offline, silent for 1000 s > 600 s
}

TEST_F(ReplayTest, RestoreBringsBackAnOfflineClientItsRecordsAndTheSequence) {
  RestoredClient c;
  c.info.uuid = "p";
  c.info.client_type = "blender";
  c.info.connected_at = 5;
  c.delivered = 7;
  for (std::uint64_t s : {7, 8, 9}) {
    c.records.push_back(InboxRecord{s, bus::Priority::info, clock_.clock()(),
                                    std::make_shared<const std::string>("{}")});
  }
  bus_.restore_sequence(12);
  bus_.restore_client(std::move(c));
  bus_.restore_job("job-1", "llm-1");
  EXPECT_EQ(bus_.last_record_seq(), 12u);
  EXPECT_EQ(bus_.find("p")->is_persistent, true);
  EXPECT_EQ(bus_.stats().pending_records, 2u);
  EXPECT_EQ(bus_.job_originator("job-1"), "llm-1");
  reg("p", "s-9");
  EXPECT_EQ(seqs(bus_.read_session("s-9", 10)), (std::vector<std::uint64_t>{8, 9}));
  EXPECT_EQ(send_to("p", 1), 13u);
}

}  // namespace
}  // namespace blender_bus::delivery::embedded
