// The quotas that keep one user from filling the server for everyone (issue
// 12): clients per bus, bytes across a user's inboxes, and the byte limit on
// job ids.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "../bus/test_support.hpp"
#include "delivery/embedded/user_message_bus.hpp"

namespace blender_bus::delivery::embedded {
namespace {

using boost::json::serialize;

class QuotaTest : public ::testing::Test {
 protected:
  explicit QuotaTest(bus::Limits limits)
      : bus_("alice", clock_.clock(), bus::test::counting_random(), limits) {}

  Outcome reg(const std::string& uuid, bool persistent = false, std::string session = "s-1") {
    return bus_.register_client(
        bus::Registration{uuid, "llm", persistent, {}, {}, std::move(session)});
  }

  bus::test::ManualClock clock_;
  UserMessageBus bus_;
};

class ClientQuotaTest : public QuotaTest {
 protected:
  ClientQuotaTest() : QuotaTest(bus::Limits{.max_clients = 2}) {}
};

TEST_F(ClientQuotaTest, ANewClientPastTheCapIsRefusedNamingTheLimit) {
  EXPECT_FALSE(reg("a").rejected);
  EXPECT_FALSE(reg("b", true).rejected);
  const Outcome out = reg("c");
  EXPECT_TRUE(out.rejected);
  EXPECT_EQ(serialize(out.result),
            R"({"status":"error","error":"max-clients-per-bus: this bus has 2 clients, the most )"
            R"(it may have; unregister one first"})");
  EXPECT_FALSE(out.client);
  EXPECT_EQ(bus_.client_count(), 2u);
  EXPECT_FALSE(bus_.find("c"));
}

TEST_F(ClientQuotaTest, ReRegisteringAKnownClientAtTheCapIsAnUpdate) {
  reg("a");
  reg("b");
  EXPECT_FALSE(reg("a", false, "s-2").rejected);
  EXPECT_EQ(bus_.find("a")->session_id, "s-2");
}

TEST_F(ClientQuotaTest, ALeavingClientMakesRoom) {
  reg("a");
  reg("b", false, "s-b");
  EXPECT_TRUE(reg("c").rejected);
  bus_.unregister_client("a");
  EXPECT_FALSE(reg("c").rejected);
  bus_.on_session_end("s-b");  // an ephemeral client leaves with its session
  EXPECT_FALSE(reg("d").rejected);
  EXPECT_EQ(bus_.client_count(), 2u);
}

TEST(JobIdLimit, AJobIdOverTheLimitIsRefusedBeforeAnythingHappens) {
  bus::test::ManualClock clock;
  UserMessageBus bus("alice", clock.clock(), bus::test::counting_random(), bus::Limits{});
  bus.register_client(bus::Registration{"b", "blender", true, {}, {}, "s"});
  const std::string long_id(257, 'j');
  Outcome sent = bus.send({{"job_id", long_id}}, {.target_uuid = "b", .from_uuid = "b"});
  EXPECT_TRUE(sent.rejected);
  EXPECT_EQ(serialize(sent.result),
            R"({"status":"error","error":"payload.job_id exceeds 256 bytes"})");
  EXPECT_TRUE(sent.deliveries.empty());
  EXPECT_EQ(bus.stats().pending_jobs, 0u);
  Outcome update = bus.job_update({long_id, "completed", "", ""});
  EXPECT_TRUE(update.rejected);
  EXPECT_EQ(serialize(update.result), R"({"status":"error","error":"job_id exceeds 256 bytes"})");
  EXPECT_TRUE(update.deliveries.empty());
  EXPECT_EQ(bus.stats().pending_records, 0u);

  const std::string at_limit(256, 'j');
  EXPECT_FALSE(bus.send({{"job_id", at_limit}}, {.target_uuid = "b", .from_uuid = "b"}).rejected);
  EXPECT_FALSE(bus.job_update({at_limit, "running", "", ""}).rejected);
}

// Three offline clients (no session reads them): their records stay undelivered.
class InboxQuotaTest : public QuotaTest {
 protected:
  static constexpr std::size_t kQuota = 4000;
  InboxQuotaTest() : QuotaTest(bus::Limits{.max_inbox_bytes = kQuota}) {
    reg("a", true, "s-a");
    reg("b", true, "s-b");
    reg("c", false, "s-c");
  }

  // Sends one record of about `size` bytes to `request`'s targets.
  Outcome send(bus::SendRequest request, std::size_t size = 300) {
    return bus_.send({{"pad", std::string(size, 'x')}}, request);
  }
};

TEST_F(InboxQuotaTest, ASendThatWouldPassTheQuotaIsRefusedAndDeliversNothing) {
  std::size_t held = 0;
  std::size_t sends = 0;
  for (;;) {
    Outcome out = send({.from_uuid = "c"});  // broadcast to a and b, opens a job
    if (out.rejected) {
      EXPECT_EQ(
          std::string(out.result.at("error").as_string()).rfind("max-user-inbox-bytes (4000)", 0),
          0u)
          << serialize(out.result);
      EXPECT_TRUE(out.deliveries.empty());
      EXPECT_TRUE(out.jobs.empty());
      break;
    }
    ASSERT_EQ(out.deliveries.size(), 2u);
    for (const auto& d : out.deliveries) held += d.text->size();
    ++sends;
    ASSERT_LE(held, kQuota);
  }
  EXPECT_GT(sends, 1u);
  const bus::BusStats stats = bus_.stats();
  EXPECT_EQ(stats.pending_records, 2 * sends) << "nothing of the refused send is kept";
  EXPECT_EQ(stats.dropped_records, 0u) << "nothing undelivered was evicted to make room";
  EXPECT_EQ(stats.pending_jobs, sends) << "the refused send opened no job";
  EXPECT_EQ(bus_.user_inbox_bytes(), held);
}

TEST_F(InboxQuotaTest, TheMessageSaysWhatIsHeldAndWhatTheSendNeeded) {
  Outcome first = send({.target_uuid = "a"}, 3000);
  ASSERT_FALSE(first.rejected);
  const std::size_t held = first.deliveries[0].text->size();
  Outcome out = send({.target_uuid = "b"}, 1000);
  ASSERT_TRUE(out.rejected);
  const std::string needed = std::to_string(held - 2000);  // the same record, 2,000 bytes shorter
  EXPECT_EQ(serialize(out.result),
            R"({"status":"error","error":"max-user-inbox-bytes (4000) reached: this user's )"
            R"(inboxes hold )" +
                std::to_string(held) + R"( bytes of undelivered records and this send needs )" +
                needed + R"( more; nothing was delivered"})");
}

TEST_F(InboxQuotaTest, DeliveredRecordsAreEvictedToMakeRoomBeforeAnythingIsRefused) {
  // Fill the quota with records for a, then deliver them (a's session read them).
  while (!send({.target_uuid = "a"}).rejected) {
  }
  SessionRead read = bus_.read_session("s-a", 1000);
  ASSERT_FALSE(read.items.empty());
  std::vector<CursorUpdate> cursors = bus_.mark_delivered(read.progress);
  // b's records now fit: a's delivered ones make room, oldest first.
  Outcome out = send({.target_uuid = "b"});
  ASSERT_FALSE(out.rejected) << serialize(out.result);
  EXPECT_EQ(bus_.stats().dropped_records, 0u);
  EXPECT_LE(bus_.user_inbox_bytes(), kQuota);
  // The store is told which of a's records are gone (a is persistent).
  ASSERT_EQ(out.cursors.size(), 1u);
  EXPECT_EQ(out.cursors[0].client_uuid, "a");
  EXPECT_GT(out.cursors[0].retained_from, read.items.front().seq);
  // A replay from before the evicted records is refused: they are gone.
  std::vector<CursorUpdate> changed;
  EXPECT_EQ(bus_.resume_session("s-a", read.items.front().seq - 1, changed),
            ResumeResult::not_retained);
}

TEST_F(InboxQuotaTest, LeavingClientsAndWithdrawnRecordsGiveTheirBytesBack) {
  while (!send({.target_uuid = "c"}).rejected) {
  }
  EXPECT_GT(bus_.user_inbox_bytes(), kQuota / 2);
  bus_.on_session_end("s-c");  // ephemeral c leaves, with its inbox
  EXPECT_EQ(bus_.user_inbox_bytes(), 0u);
  EXPECT_FALSE(send({.target_uuid = "a"}).rejected);
  bus_.unregister_client("a");
  EXPECT_EQ(bus_.user_inbox_bytes(), 0u);
}

TEST_F(InboxQuotaTest, AJobUpdateThatDoesNotFitIsRefusedAndLeavesTheJobOpen) {
  ASSERT_FALSE(send({.target_uuid = "a", .from_uuid = "b"}, 10).rejected);
  // job id = message id of that send; fill the rest of the quota.
  while (!send({.target_uuid = "b"}).rejected) {
  }
  const auto jobs = bus_.stats().pending_jobs;
  ASSERT_EQ(jobs, 1u);
  Outcome out = bus_.job_update({bus::test::kFirstUuid, "completed", std::string(2000, 'r'), ""});
  ASSERT_TRUE(out.rejected) << serialize(out.result);
  EXPECT_TRUE(out.deliveries.empty());
  EXPECT_TRUE(out.jobs.empty());
  EXPECT_EQ(bus_.stats().pending_jobs, 1u) << "the refused update did not close the job";
}

}  // namespace
}  // namespace blender_bus::delivery::embedded
