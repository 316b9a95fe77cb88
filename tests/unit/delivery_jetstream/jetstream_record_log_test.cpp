#include "delivery/jetstream/jetstream_record_log.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "jetstream_fixture.hpp"

namespace blender_bus::delivery::jetstream {
namespace {

using namespace std::chrono_literals;
using nats::testing::run_coroutine;
using testing::CountingListener;
using testing::JetStreamTest;

OutgoingRecord record(std::string client, std::string text,
                      bus::Priority level = bus::Priority::info) {
  return OutgoingRecord{std::move(client), true, level,
                        std::make_shared<const std::string>(std::move(text)), 0};
}

boost::asio::awaitable<bool> settle(std::unique_ptr<Append>& append) {
  co_return co_await append->settled();
}

// Everything a feed hands out until `count` records came (or 10 s).
std::vector<LoggedRecord> take(Feed& feed, CountingListener& listener, std::size_t count) {
  std::vector<LoggedRecord> out;
  listener.wait_until([&] {
    for (auto batch = feed.next(100); !batch.empty(); batch = feed.next(100)) {
      for (auto& r : batch) out.push_back(std::move(r));
    }
    return out.size() >= count;
  });
  return out;
}

class JetStreamRecordLogTest : public JetStreamTest {
 protected:
  void SetUp() override {
    if (!start()) return;
    a_ = node();
    b_ = node();
    JetStreamRecordLog::Options options;
    options.cursor_flush = 50ms;
    options.poll = 50ms;
    log_a_ = std::make_unique<JetStreamRecordLog>(a_->connection, a_->publisher, a_->pool,
                                                  JetStreamRecordLog::ClientKnown{}, options);
    log_b_ = std::make_unique<JetStreamRecordLog>(b_->connection, b_->publisher, b_->pool,
                                                  JetStreamRecordLog::ClientKnown{}, options);
  }
  void TearDown() override {
    log_a_.reset();
    log_b_.reset();
  }

  std::vector<std::uint64_t> append(JetStreamRecordLog& log, const BusId& bus,
                                    std::vector<OutgoingRecord> records,
                                    std::string message_id = {}) {
    // Each operation has its own id (a uuid in the service).
    if (message_id.empty()) message_id = nats::testing::numbered("op-", ++operations_);
    auto started = log.append(bus, AppendRequest{std::move(message_id), std::move(records), false});
    EXPECT_TRUE(run_coroutine(settle(started)));
    return started->seqs();
  }

  std::unique_ptr<testing::Node> a_, b_;
  std::unique_ptr<JetStreamRecordLog> log_a_, log_b_;
  int operations_ = 0;
};

TEST_F(JetStreamRecordLogTest, AnAppendOnOneNodeReachesAFeedOnAnotherInOrder) {
  CountingListener listener;
  auto opening = log_b_->open_feed("u1", "c1", 0, listener);
  ASSERT_TRUE(opening.feed);
  const auto first = append(*log_a_, "u1", {record("c1", "one"), record("c2", "other")}, "m1");
  const auto second = append(*log_a_, "u1", {record("c1", "two")}, "m2");
  ASSERT_EQ(first.size(), 2u);
  EXPECT_LT(first[0], first[1]);
  EXPECT_LT(first[1], second[0]);
  auto got = take(*opening.feed, listener, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].seq, first[0]);
  EXPECT_EQ(*got[0].text, "one");
  EXPECT_EQ(got[1].seq, second[0]);
  EXPECT_EQ(log_a_->last_seq("u1"), second[0]);
}

TEST_F(JetStreamRecordLogTest, ARetriedAppendOfTheSameRecordIsStoredOnce) {
  const auto first = append(*log_a_, "u1", {record("c1", "once")}, "same-id");
  const auto again = append(*log_b_, "u1", {record("c1", "once")}, "same-id");
  EXPECT_EQ(first, again);
  auto read = run_coroutine(log_b_->read("u1", "c1", 0, 10));
  EXPECT_EQ(read.records.size(), 1u);
}

TEST_F(JetStreamRecordLogTest, AClientMovingToAnotherNodeResumesFromItsCursorOrLastEventId) {
  const auto seqs = append(*log_a_, "u1", {record("c1", "1")}, "m1");
  const auto more = append(*log_a_, "u1", {record("c1", "2")}, "m2");
  const auto last = append(*log_a_, "u1", {record("c1", "3")}, "m3");
  {
    CountingListener listener;
    auto opening = log_a_->open_feed("u1", "c1", std::nullopt, listener);
    ASSERT_TRUE(opening.feed);
    auto got = take(*opening.feed, listener, 3);
    ASSERT_EQ(got.size(), 3u);
    opening.feed->acknowledge(more[0]);  // the stream wrote two before its node went away
  }
  log_a_->flush_cursors();
  // Node B learns the cursor from the bucket and starts after it.
  ASSERT_TRUE(testing::eventually([&] { return log_b_->cursor("u1", "c1") == more[0]; }));
  CountingListener listener;
  auto resumed = log_b_->open_feed("u1", "c1", std::nullopt, listener);
  ASSERT_TRUE(resumed.feed);
  auto got = take(*resumed.feed, listener, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].seq, last[0]);
  // With a Last-Event-ID, exactly what followed it.
  CountingListener by_id;
  auto replay = log_b_->open_feed("u1", "c1", seqs[0], by_id);
  ASSERT_TRUE(replay.feed) << (replay.error ? "refused" : "");
  auto replayed = take(*replay.feed, by_id, 2);
  ASSERT_EQ(replayed.size(), 2u);
  EXPECT_EQ(replayed[0].seq, more[0]);
  EXPECT_EQ(replayed[1].seq, last[0]);
}

TEST_F(JetStreamRecordLogTest, ALastEventIdNeverIssuedIsRefused) {
  const auto seqs = append(*log_a_, "u1", {record("c1", "1")});
  ASSERT_TRUE(testing::eventually([&] { return log_b_->last_seq("u1") >= seqs[0]; }));
  EXPECT_EQ(log_b_->check_cursor("u1", "c1", seqs[0] + 100), ResumeError::not_issued);
  EXPECT_FALSE(log_b_->check_cursor("u1", "c1", seqs[0]));
  CountingListener listener;
  auto opening = log_b_->open_feed("u1", "c1", seqs[0] + 100, listener);
  EXPECT_FALSE(opening.feed);
  EXPECT_EQ(opening.error, ResumeError::not_issued);
}

TEST_F(JetStreamRecordLogTest, ALastEventIdIssuedOnAnotherNodeSinceThePollIsAccepted) {
  // A node whose poll has not come round since the other node appended (a
  // client that moved here at once resumes with the id it got there).
  JetStreamRecordLog::Options slow;
  slow.poll = std::chrono::hours(1);
  JetStreamRecordLog log_c(b_->connection, b_->publisher, b_->pool,
                           JetStreamRecordLog::ClientKnown{}, slow);
  const auto seqs = append(*log_a_, "u1", {record("c1", "1")});
  EXPECT_FALSE(log_c.check_cursor("u1", "c1", seqs[0]));
  EXPECT_EQ(log_c.check_cursor("u1", "c1", seqs[0] + 100), ResumeError::not_issued);
}

TEST_F(JetStreamRecordLogTest, AReadReturnsTheRecordsAfterACursorAndAcknowledgesIt) {
  const auto seqs = append(*log_a_, "u1", {record("c1", "1"), record("c1", "2")});
  auto read = run_coroutine(log_b_->read("u1", "c1", std::nullopt, 1));
  ASSERT_TRUE(read.found);
  ASSERT_EQ(read.records.size(), 1u);
  EXPECT_EQ(read.records[0].seq, seqs[0]);
  EXPECT_EQ(read.next, seqs[0]);
  auto rest = run_coroutine(log_b_->read("u1", "c1", read.next, 10));
  ASSERT_EQ(rest.records.size(), 1u);
  EXPECT_EQ(rest.records[0].seq, seqs[1]);
  EXPECT_EQ(log_b_->cursor("u1", "c1"), seqs[0]);
}

TEST_F(JetStreamRecordLogTest, BusesAndClientsAreApart) {
  append(*log_a_, "u1", {record("c1", "mine")});
  append(*log_a_, "u2", {record("c1", "someone else's")});
  append(*log_a_, "u1", {record("c2", "my other client's")});
  auto read = run_coroutine(log_a_->read("u1", "c1", 0, 10));
  ASSERT_EQ(read.records.size(), 1u);
  EXPECT_EQ(*read.records[0].text, "mine");
}

TEST_F(JetStreamRecordLogTest, UnusualIdsAreEncodedAndATooLongOneIsRefused) {
  const std::string odd = "user with spaces.and.dots>*";
  const auto seqs = append(*log_a_, odd, {record("client uuid/ä", "x")});
  auto read = run_coroutine(log_a_->read(odd, "client uuid/ä", 0, 10));
  ASSERT_EQ(read.records.size(), 1u);
  EXPECT_EQ(read.records[0].seq, seqs[0]);
  auto refused = log_a_->append("u1", AppendRequest{"m", {record(std::string(300, ' '), "x")}});
  ASSERT_TRUE(refused->refusal());
  EXPECT_FALSE(run_coroutine(settle(refused)));
}

TEST_F(JetStreamRecordLogTest, CountsForgetAndPurge) {
  append(*log_a_, "u1", {record("c1", "1"), record("c1", "2"), record("c2", "3")});
  append(*log_a_, "u2", {record("c1", "kept")});
  log_b_->counts("u1", "c1");  // asks: the next poll counts the bus
  ASSERT_TRUE(testing::eventually([&] { return log_b_->counts("u1", "c1").pending == 2; }));
  EXPECT_EQ(log_b_->bus_counts("u1").pending, 3u);
  log_a_->forget_client("u1", "c1");
  ASSERT_TRUE(testing::eventually(
      [&] { return run_coroutine(log_b_->read("u1", "c1", 0, 10)).records.empty(); }));
  EXPECT_EQ(run_coroutine(log_b_->read("u1", "c2", 0, 10)).records.size(), 1u);
  log_a_->purge_bus("u1");
  EXPECT_TRUE(run_coroutine(log_b_->read("u1", "c2", 0, 10)).records.empty());
  EXPECT_EQ(run_coroutine(log_b_->read("u2", "c1", 0, 10)).records.size(), 1u);
  // Seqs keep growing after a purge (a namesake's ids never repeat).
  const auto before = log_a_->last_seq("u1");
  EXPECT_GT(append(*log_a_, "u1", {record("c1", "new")})[0], before);
}

TEST_F(JetStreamRecordLogTest, ManyClientsHeldOnOneNodeNeedNoConsumers) {
  std::vector<std::unique_ptr<CountingListener>> listeners;
  std::vector<std::unique_ptr<Feed>> feeds;
  std::vector<OutgoingRecord> records;
  for (int i = 0; i < 200; ++i) {
    listeners.push_back(std::make_unique<CountingListener>());
    const std::string client = nats::testing::numbered("c", i);
    feeds.push_back(log_b_->open_feed("u1", client, 0, *listeners.back()).feed);
    records.push_back(record(client, "hello"));
  }
  append(*log_a_, "u1", std::move(records));
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(take(*feeds[i], *listeners[i], 1).size(), 1u) << i;
  }
  EXPECT_EQ(log_b_->feed_count(), 200u);
  jsStreamInfo* info = nullptr;
  ASSERT_EQ(js_GetStreamInfo(&info, connection_->jetstream(), kRecordStream, nullptr, nullptr),
            NATS_OK);
  EXPECT_EQ(info->State.Consumers, 0);
  jsStreamInfo_Destroy(info);
  feeds.clear();
  EXPECT_EQ(log_b_->feed_count(), 0u);
}

}  // namespace
}  // namespace blender_bus::delivery::jetstream
