// The delivery ports' contract (port_contract.hpp), run against every engine
// that instantiates PortContract.
#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "port_contract.hpp"

namespace blender_bus::delivery::test {
namespace {

const BusId kAlice = "alice";
const BusId kBob = "bob";

class Counter final : public FeedListener {
 public:
  void on_records() override { ++calls; }
  std::atomic<int> calls{0};
};

// --- RecordLog ---

TEST_P(PortContract, RecordsForOneClientKeepTheirAppendOrderWithIncreasingSeqs) {
  reg(kAlice, "a");
  const std::uint64_t s1 = append_one(kAlice, "a", "1");
  const std::uint64_t s2 = append_one(kAlice, "a", "2");
  const std::uint64_t s3 = append_one(kAlice, "a", "3");
  EXPECT_LT(0u, s1);
  EXPECT_LT(s1, s2);
  EXPECT_LT(s2, s3);
  const RecordRead r = read(kAlice, "a");
  ASSERT_TRUE(r.found);
  EXPECT_EQ(texts(r.records), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(r.records.at(0).seq, s1);
  EXPECT_EQ(r.records.at(2).seq, s3);
  EXPECT_EQ(r.next, s3);
  EXPECT_EQ(log().last_seq(kAlice), s3);
}

TEST_P(PortContract, SeqsAreComparableAcrossTheClientsOfOneBus) {
  reg(kAlice, "a");
  reg(kAlice, "b", true);
  const std::uint64_t a1 = append_one(kAlice, "a", "a1");
  const std::uint64_t b1 = append_one(kAlice, "b", "b1");
  const std::uint64_t a2 = append_one(kAlice, "a", "a2");
  EXPECT_LT(a1, b1);
  EXPECT_LT(b1, a2);
  // One append for several clients: one record each, all with distinct seqs.
  const auto both = append(kAlice, {"a", "b"}, "ab");
  ASSERT_EQ(both.size(), 2u);
  EXPECT_NE(both[0], both[1]);
  EXPECT_LT(a2, std::min(both[0], both[1]));
  EXPECT_EQ(texts(read(kAlice, "b", b1).records), (std::vector<std::string>{"ab"}));
}

TEST_P(PortContract, AReadAcknowledgesWhatItsCursorCovers) {
  reg(kAlice, "a");
  const std::uint64_t s1 = append_one(kAlice, "a", "1");
  append_one(kAlice, "a", "2");
  EXPECT_EQ(log().counts(kAlice, "a").pending, 2u);
  EXPECT_EQ(texts(read(kAlice, "a", s1).records), (std::vector<std::string>{"2"}));
  EXPECT_EQ(log().counts(kAlice, "a").pending, 1u);
  // Without a cursor, a read starts after the delivered one.
  EXPECT_EQ(texts(read(kAlice, "a").records), (std::vector<std::string>{"2"}));
  EXPECT_FALSE(read(kAlice, "nobody").found);
}

TEST_P(PortContract, AHeldAppendReachesNoFeedBeforeItSettles) {
  reg(kAlice, "a");
  Counter listener;
  FeedOpening opening = log().open_feed(kAlice, "a", std::nullopt, listener);
  ASSERT_TRUE(opening.feed);
  auto appended = start_append(kAlice, {"a"}, "held", true);
  EXPECT_TRUE(opening.feed->next(10).empty());
  EXPECT_TRUE(read(kAlice, "a").records.empty());
  ASSERT_TRUE(run(appended->settled()));
  EXPECT_EQ(texts(opening.feed->next(10)), (std::vector<std::string>{"held"}));
}

TEST_P(PortContract, AWithdrawnAppendIsNeverDelivered) {
  reg(kAlice, "a");
  reg(kAlice, "p", true);
  auto appended = start_append(kAlice, {"a", "p"}, "gone", true);
  appended->withdraw();
  EXPECT_TRUE(read(kAlice, "a").records.empty());
  EXPECT_TRUE(read(kAlice, "p").records.empty());
  EXPECT_EQ(log().counts(kAlice, "p").pending, 0u);
  // Later records flow as usual.
  append_one(kAlice, "p", "next");
  EXPECT_EQ(texts(read(kAlice, "p").records), (std::vector<std::string>{"next"}));
}

TEST_P(PortContract, AFailedSettlementDeliversNothing) {
  reg(kAlice, "a");
  reg(kAlice, "p", true);
  std::unique_ptr<Append> appended;
  bool settled = true;
  {
    auto failing = ports().failing_writes();
    if (!failing) GTEST_SKIP() << "this engine's writes cannot be made to fail";
    appended = start_append(kAlice, {"a", "p"}, "lost");
    settled = run(appended->settled());
  }
  EXPECT_FALSE(settled);
  EXPECT_TRUE(read(kAlice, "a").records.empty());
  EXPECT_TRUE(read(kAlice, "p").records.empty());
  append_one(kAlice, "p", "kept");
  EXPECT_EQ(texts(read(kAlice, "p").records), (std::vector<std::string>{"kept"}));
}

TEST_P(PortContract, AFeedIsWokenByAnAppendAndReadsBacklogThenLiveRecords) {
  reg(kAlice, "a");
  append_one(kAlice, "a", "old");
  Counter listener;
  FeedOpening opening = log().open_feed(kAlice, "a", std::nullopt, listener);
  ASSERT_TRUE(opening.feed);
  EXPECT_EQ(texts(opening.feed->next(10)), (std::vector<std::string>{"old"}));
  EXPECT_TRUE(opening.feed->next(10).empty());
  const int before = listener.calls;
  const std::uint64_t s = append_one(kAlice, "a", "new");
  EXPECT_GT(listener.calls, before);
  const auto live = opening.feed->next(10);
  EXPECT_EQ(texts(live), (std::vector<std::string>{"new"}));
  // Acknowledging moves the delivered cursor.
  opening.feed->acknowledge(s);
  EXPECT_EQ(log().counts(kAlice, "a").pending, 0u);
  EXPECT_TRUE(read(kAlice, "a").records.empty());
}

TEST_P(PortContract, AFeedNeverCallsItsListenerAfterItIsGone) {
  reg(kAlice, "a");
  Counter listener;
  {
    FeedOpening opening = log().open_feed(kAlice, "a", std::nullopt, listener);
    ASSERT_TRUE(opening.feed);
  }
  const int calls = listener.calls;
  append_one(kAlice, "a", "1");
  EXPECT_EQ(listener.calls, calls);
}

TEST_P(PortContract, AFeedOpensAfterAnyIssuedCursorAndRefusesOneNeverIssued) {
  reg(kAlice, "a");
  const std::uint64_t s1 = append_one(kAlice, "a", "1");
  append_one(kAlice, "a", "2");
  Counter listener;
  FeedOpening from_first = log().open_feed(kAlice, "a", s1, listener);
  ASSERT_TRUE(from_first.feed);
  EXPECT_EQ(texts(from_first.feed->next(10)), (std::vector<std::string>{"2"}));

  const std::uint64_t beyond = log().last_seq(kAlice) + 1000;
  FeedOpening never = log().open_feed(kAlice, "a", beyond, listener);
  EXPECT_FALSE(never.feed);
  EXPECT_EQ(never.error, ResumeError::not_issued);
  EXPECT_EQ(log().check_cursor(kAlice, "a", beyond), ResumeError::not_issued);
  EXPECT_EQ(log().check_cursor(kAlice, "a", s1), std::nullopt);

  FeedOpening unknown = log().open_feed(kAlice, "nobody", std::nullopt, listener);
  EXPECT_FALSE(unknown.feed);
  EXPECT_TRUE(unknown.unknown_client);
}

TEST_P(PortContract, TheBoundEvictsTheOldestCountsThemDroppedAndRefusesResumingBelow) {
  start(PortOptions{3});
  reg(kAlice, "a");
  std::vector<std::uint64_t> seqs;
  for (int i = 1; i <= 5; ++i) seqs.push_back(append_one(kAlice, "a", std::to_string(i)));
  EXPECT_EQ(texts(read(kAlice, "a", seqs[1]).records), (std::vector<std::string>{"3", "4", "5"}));
  EXPECT_EQ(log().counts(kAlice, "a").dropped, 2u);
  Counter listener;
  FeedOpening below = log().open_feed(kAlice, "a", seqs[0], listener);
  EXPECT_FALSE(below.feed);
  EXPECT_EQ(below.error, ResumeError::not_retained);
  EXPECT_EQ(log().check_cursor(kAlice, "a", seqs[1]), std::nullopt);
}

TEST_P(PortContract, ForgettingAClientDropsItsRecordsOnly) {
  reg(kAlice, "a");
  reg(kAlice, "b");
  append(kAlice, {"a", "b"}, "x");
  log().forget_client(kAlice, "a");
  EXPECT_TRUE(read(kAlice, "a").records.empty());
  EXPECT_EQ(texts(read(kAlice, "b").records), (std::vector<std::string>{"x"}));
}

TEST_P(PortContract, APurgedBusStartsEmptyAndTheOtherBusesKeepEverything) {
  reg(kAlice, "a", true);
  reg(kBob, "a", true);
  append_one(kAlice, "a", "alice's");
  append_one(kBob, "a", "bob's");
  ASSERT_TRUE(run(directory().open_job(kAlice, "j", "a", "broadcast", 1)->settled()));
  directory().purge_bus(kAlice);
  log().purge_bus(kAlice);
  EXPECT_FALSE(directory().find(kAlice, "a"));
  EXPECT_FALSE(directory().job_originator(kAlice, "j"));
  EXPECT_EQ(log().last_seq(kAlice), 0u);
  EXPECT_FALSE(read(kAlice, "a").found);
  EXPECT_EQ(texts(read(kBob, "a").records), (std::vector<std::string>{"bob's"}));
  // A namesake starts from nothing.
  reg(kAlice, "a", true);
  EXPECT_TRUE(read(kAlice, "a").records.empty());
}

TEST_P(PortContract, TwoBusesShareNothing) {
  reg(kAlice, "a", false, "blender", "g");
  reg(kBob, "a", false, "blender", "g");
  reg(kBob, "b", false, "llm");
  append_one(kAlice, "a", "for alice");
  EXPECT_TRUE(read(kBob, "a").records.empty());
  EXPECT_EQ(uuids(directory().resolve(kAlice, {bus::RoutingMode::broadcast, ""}, "")),
            (std::vector<std::string>{"a"}));
  EXPECT_FALSE(directory().find(kAlice, "b"));
  EXPECT_EQ(directory().snapshot(kBob).ephemeral.size(), 2u);
  ASSERT_TRUE(run(directory().open_job(kAlice, "j", "a", "broadcast", 1)->settled()));
  EXPECT_FALSE(directory().job_originator(kBob, "j"));
}

// --- Directory ---

TEST_P(PortContract, ARegistrationUpdatesAKnownUuidInPlace) {
  const RegisterResult first = reg(kAlice, "x", true, "blender", "g1", "s1");
  ASSERT_FALSE(first.refusal);
  EXPECT_TRUE(first.stored);
  reg(kAlice, "y", true);
  const RegisterResult again = reg(kAlice, "x", false, "llm", "g2", "s1");
  ASSERT_FALSE(again.refusal);
  EXPECT_FALSE(again.displaced_holder);
  EXPECT_EQ(again.client.client_type, "llm");
  EXPECT_TRUE(again.client.is_persistent);  // the bucket never changes
  EXPECT_EQ(again.client.connected_at, first.client.connected_at);
  EXPECT_EQ(uuids(directory().resolve(kAlice, {bus::RoutingMode::group, "g2"}, "")),
            (std::vector<std::string>{"x"}));
  EXPECT_TRUE(directory().resolve(kAlice, {bus::RoutingMode::group, "g1"}, "").empty());
  // Its place in bus order is kept too: still before y.
  EXPECT_EQ(uuids(directory().resolve(kAlice, {bus::RoutingMode::broadcast, ""}, "")),
            (std::vector<std::string>{"x", "y"}));
}

TEST_P(PortContract, ARegistrationFromAnotherHolderTakesTheUuidOver) {
  reg(kAlice, "x", false, "blender", std::nullopt, "s1");
  const RegisterResult taken = reg(kAlice, "x", false, "blender", std::nullopt, "s2");
  EXPECT_EQ(taken.displaced_holder, "s1");
  EXPECT_EQ(directory().clients_of(kAlice, "s2"), (std::vector<std::string>{"x"}));
  EXPECT_TRUE(directory().clients_of(kAlice, "s1").empty());
  // The same holder again displaces nobody.
  EXPECT_FALSE(reg(kAlice, "x", false, "blender", std::nullopt, "s2").displaced_holder);
}

TEST_P(PortContract, ResolveReachesWhatEachRoutingModeNamesInBusOrder) {
  reg(kAlice, "e1", false, "blender", "g");
  reg(kAlice, "p1", true, "llm", "g");
  reg(kAlice, "e2", false, "llm");
  reg(kAlice, "p2", true, "blender");
  auto resolve = [&](bus::RoutingMode mode, std::string key, std::string origin) {
    return uuids(directory().resolve(kAlice, {mode, std::move(key)}, origin));
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(resolve(bus::RoutingMode::direct, "e2", "e2"), V{"e2"});
  EXPECT_EQ(resolve(bus::RoutingMode::direct, "missing", ""), V{});
  // Group and type include the sender; persistent first, then ephemeral.
  EXPECT_EQ(resolve(bus::RoutingMode::group, "g", "e1"), (V{"p1", "e1"}));
  EXPECT_EQ(resolve(bus::RoutingMode::type_filter, "blender", "p2"), (V{"p2", "e1"}));
  EXPECT_EQ(resolve(bus::RoutingMode::type_filter, "nobody", ""), V{});
  // Broadcast skips the sender.
  EXPECT_EQ(resolve(bus::RoutingMode::broadcast, "", "p1"), (V{"p2", "e1", "e2"}));
  const auto targets = directory().resolve(kAlice, {bus::RoutingMode::direct, "p1"}, "");
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_TRUE(targets[0].persistent);
}

TEST_P(PortContract, UnregisteringRemovesTheClientAndItsHolderEndLeavesPersistentOnes) {
  reg(kAlice, "e", false, "blender", std::nullopt, "s");
  reg(kAlice, "p", true, "blender", std::nullopt, "s");
  reg(kAlice, "q", true);
  const UnregisterResult removed = run(directory().unregister_client(kAlice, "q"));
  EXPECT_TRUE(removed.found);
  EXPECT_TRUE(removed.stored);
  EXPECT_FALSE(run(directory().unregister_client(kAlice, "q")).found);
  EXPECT_EQ(directory().end_holder(kAlice, "s"), (std::vector<std::string>{"e"}));
  EXPECT_FALSE(directory().find(kAlice, "e"));
  ASSERT_TRUE(directory().find(kAlice, "p"));
  EXPECT_TRUE(directory().clients_of(kAlice, "s").empty());
}

TEST_P(PortContract, AClientIsOnlineWhileSomeHolderHoldsItsFeed) {
  reg(kAlice, "p", true);
  EXPECT_FALSE(directory().online(kAlice, "p"));
  directory().hold(kAlice, "p", "reader-1");
  directory().hold(kAlice, "p", "reader-2");
  EXPECT_TRUE(directory().online(kAlice, "p"));
  EXPECT_TRUE(directory().snapshot(kAlice).persistent.at(0).online);
  directory().release(kAlice, "p", "reader-1");
  EXPECT_TRUE(directory().online(kAlice, "p"));
  directory().release(kAlice, "p", "reader-2");
  EXPECT_FALSE(directory().online(kAlice, "p"));
  EXPECT_FALSE(directory().snapshot(kAlice).persistent.at(0).online);
}

TEST_P(PortContract, AJobIsCorrelatedWithItsOriginatorUntilATerminalUpdate) {
  reg(kAlice, "worker");
  ASSERT_TRUE(run(directory().open_job(kAlice, "j", "llm-1", "uuid:worker", 5)->settled()));
  EXPECT_EQ(directory().job_originator(kAlice, "j"), "llm-1");
  EXPECT_EQ(directory().open_job_count(kAlice), 1u);

  bus::JobUpdate running{"j", "running", "", "", 0.5};
  ASSERT_TRUE(run(directory().correlate_job(kAlice, running, 6)->settled()));
  EXPECT_EQ(directory().job_originator(kAlice, "j"), "llm-1");
  ASSERT_TRUE(directory().job_state(kAlice, "j"));
  EXPECT_EQ(directory().job_state(kAlice, "j")->status, "running");

  bus::JobUpdate done{"j", "completed", "ok", ""};
  ASSERT_TRUE(run(directory().correlate_job(kAlice, done, 7)->settled()));
  EXPECT_FALSE(directory().job_originator(kAlice, "j"));
  EXPECT_EQ(directory().open_job_count(kAlice), 0u);
  ASSERT_TRUE(directory().job_state(kAlice, "j"));
  EXPECT_EQ(directory().job_state(kAlice, "j")->status, "completed");
  EXPECT_EQ(directory().job_state(kAlice, "j")->result, "ok");

  // A second send with the same id takes an open job over.
  ASSERT_TRUE(run(directory().open_job(kAlice, "k", "llm-1", "broadcast", 8)->settled()));
  ASSERT_TRUE(run(directory().open_job(kAlice, "k", "llm-2", "broadcast", 9)->settled()));
  EXPECT_EQ(directory().job_originator(kAlice, "k"), "llm-2");
}

}  // namespace
}  // namespace blender_bus::delivery::test
