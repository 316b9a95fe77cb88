// Records that wait for the store (DeliveryPolicy::hold_until_stored, issue
// 12): invisible until release(), gone without a trace after withdraw(); and
// withdraw() undoing a registration and job changes the store could not keep.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "../bus/test_support.hpp"
#include "delivery/embedded/user_message_bus.hpp"

namespace blender_bus::delivery::embedded {
namespace {

using Seqs = std::vector<std::uint64_t>;

Seqs seqs(const SessionRead& read) {
  Seqs out;
  for (const auto& item : read.items) out.push_back(item.seq);
  return out;
}

class HeldRecordsTest : public ::testing::Test {
 protected:
  static DeliveryPolicy policy(bool hold) {
    DeliveryPolicy p;
    p.hold_until_stored = hold;
    return p;
  }

  explicit HeldRecordsTest(bool hold = true)
      : bus_("alice", clock_.clock(), bus::test::counting_random(), bus::Limits{}, policy(hold)) {
    reg("p", true, "s-1");   // persistent: its records wait for the store
    reg("e", false, "s-1");  // ephemeral, on the same session
    reg("f", false, "s-2");  // ephemeral, on another session
  }

  Outcome reg(const std::string& uuid, bool persistent, std::string session,
              std::string type = "llm", std::optional<std::string> group = std::nullopt) {
    return bus_.register_client(bus::Registration{
        uuid, std::move(type), persistent, {}, std::move(group), std::move(session)});
  }

  Outcome send_to(const std::string& uuid, bus::SendRequest request = {}) {
    request.target_uuid = uuid;
    return bus_.send({{"n", 1}}, request);
  }

  bus::test::ManualClock clock_;
  UserMessageBus bus_;
};

TEST_F(HeldRecordsTest, ARecordForAPersistentClientIsInvisibleUntilReleased) {
  const Outcome out = send_to("p");
  ASSERT_TRUE(out.held);
  ASSERT_EQ(out.deliveries.size(), 1u);
  EXPECT_TRUE(bus_.read_session("s-1", 10).items.empty());
  EXPECT_FALSE(bus_.has_records_after("p", std::nullopt));
  EXPECT_TRUE(bus_.receive("p", std::nullopt, 10).items.empty());
  EXPECT_EQ(bus_.find("p")->uuid, "p");
  bus_.release(out);
  EXPECT_EQ(seqs(bus_.read_session("s-1", 10)), Seqs{out.deliveries[0].seq});
  EXPECT_TRUE(bus_.has_records_after("p", std::nullopt));
  EXPECT_EQ(bus_.receive("p", std::nullopt, 10).items.size(), 1u);
}

TEST_F(HeldRecordsTest, AHeldRecordKeepsLaterRecordsOfItsSessionBackButNotOthers) {
  const Outcome held = send_to("p");
  const Outcome for_e = send_to("e");
  const Outcome for_f = send_to("f");
  EXPECT_FALSE(for_e.held);
  EXPECT_FALSE(for_f.held);
  // s-1's stream would otherwise write e's record with a higher id, and a
  // resume from that id would count p's record as delivered.
  EXPECT_TRUE(bus_.read_session("s-1", 10).items.empty());
  EXPECT_EQ(seqs(bus_.read_session("s-2", 10)), Seqs{for_f.deliveries[0].seq});
  // e pulls its own inbox: nothing there is held.
  EXPECT_EQ(bus_.receive("e", std::nullopt, 10).items.size(), 1u);
  bus_.release(held);
  EXPECT_EQ(seqs(bus_.read_session("s-1", 10)),
            (Seqs{held.deliveries[0].seq, for_e.deliveries[0].seq}));
}

TEST_F(HeldRecordsTest, AWithdrawnSendReachesNobodyAndLeavesNoTrace) {
  const Outcome failed = bus_.send({{"n", 1}}, {.group_id = std::nullopt});  // broadcast: p, e, f
  ASSERT_TRUE(failed.held) << "one target is persistent: the whole send waits";
  ASSERT_EQ(failed.deliveries.size(), 3u);
  const Outcome later = send_to("e");
  bus_.withdraw(failed);
  EXPECT_EQ(seqs(bus_.read_session("s-1", 10)), Seqs{later.deliveries[0].seq});
  EXPECT_TRUE(bus_.read_session("s-2", 10).items.empty());
  const bus::BusStats stats = bus_.stats();
  EXPECT_EQ(stats.pending_records, 1u);
  EXPECT_EQ(stats.dropped_records, 0u);
  EXPECT_EQ(bus_.find("p")->pending_records, 0u);
  // A replay from before it is still complete: it was never there.
  std::vector<CursorUpdate> changed;
  EXPECT_EQ(bus_.resume_session("s-1", failed.deliveries[0].seq - 1, changed), ResumeResult::ok);
}

TEST_F(HeldRecordsTest, ASendThatOpensAJobWaitsEvenForEphemeralTargets) {
  const Outcome out = send_to("f", {.from_uuid = "e"});
  EXPECT_TRUE(out.held);
  EXPECT_TRUE(bus_.read_session("s-2", 10).items.empty());
  EXPECT_EQ(bus_.job_originator(bus::test::kFirstUuid), "e");
  bus_.withdraw(out);
  EXPECT_EQ(bus_.job_originator(bus::test::kFirstUuid), std::nullopt) << "the job was not opened";
  EXPECT_EQ(bus_.stats().pending_jobs, 0u);
}

TEST_F(HeldRecordsTest, AWithdrawnTakeOverGivesTheJobBackToItsOwner) {
  bus_.release(bus_.send({{"job_id", "job-1"}}, {.target_uuid = "p", .from_uuid = "e"}));
  const Outcome takeover = bus_.send({{"job_id", "job-1"}}, {.target_uuid = "p", .from_uuid = "f"});
  EXPECT_EQ(bus_.job_originator("job-1"), "f");
  bus_.withdraw(takeover);
  EXPECT_EQ(bus_.job_originator("job-1"), "e");
}

TEST_F(HeldRecordsTest, AWithdrawnCloseReopensTheJob) {
  bus_.release(bus_.send({{"job_id", "job-1"}}, {.target_uuid = "p", .from_uuid = "e"}));
  const Outcome done = bus_.job_update({"job-1", "completed", "42", ""});
  EXPECT_TRUE(done.held);
  EXPECT_EQ(bus_.job_originator("job-1"), std::nullopt);
  bus_.withdraw(done);
  EXPECT_EQ(bus_.job_originator("job-1"), "e") << "a retried update still goes to its originator";
  EXPECT_TRUE(bus_.read_session("s-1", 10).items.size() == 1u) << "only the dispatch to p";
}

TEST_F(HeldRecordsTest, AWithdrawnRegistrationOfANewClientRemovesIt) {
  const Outcome out = reg("q", true, "s-3");
  EXPECT_TRUE(bus_.find("q"));
  bus_.withdraw(out);
  EXPECT_FALSE(bus_.find("q"));
  EXPECT_EQ(bus_.stats().persistent_count, 1u);
  EXPECT_TRUE(bus_.clients_for_session("s-3").empty());
}

TEST_F(HeldRecordsTest, AWithdrawnUpdateRestoresThePreviousRegistration) {
  clock_.set(2000);
  const Outcome out = reg("p", true, "s-9", "blender", "render");
  EXPECT_EQ(bus_.find("p")->group_id, "render");
  bus_.withdraw(out);
  const bus::ClientInfo p = *bus_.find("p");
  EXPECT_EQ(p.client_type, "llm");
  EXPECT_EQ(p.group_id, std::nullopt);
  EXPECT_EQ(p.session_id, "s-1");
  EXPECT_EQ(p.last_seen, 1000.5);
  EXPECT_TRUE(bus_.send({{"n", 1}}, {.group_id = "render"}).deliveries.empty());
}

TEST_F(HeldRecordsTest, AWithdrawnRegistrationLeavesALaterOneAlone) {
  const Outcome first = reg("q", true, "s-3");
  bus_.unregister_client("q");
  reg("q", true, "s-4");
  bus_.withdraw(first);
  ASSERT_TRUE(bus_.find("q"));
  EXPECT_EQ(bus_.find("q")->session_id, "s-4");
}

class NothingHeldTest : public HeldRecordsTest {
 protected:
  NothingHeldTest() : HeldRecordsTest(false) {}
};

TEST_F(NothingHeldTest, WithoutAStoreRecordsAreVisibleAtOnce) {
  const Outcome out = send_to("p", {.from_uuid = "e"});
  EXPECT_FALSE(out.held);
  EXPECT_EQ(seqs(bus_.read_session("s-1", 10)), Seqs{out.deliveries[0].seq});
}

}  // namespace
}  // namespace blender_bus::delivery::embedded
