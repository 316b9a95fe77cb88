#include "delivery/jetstream/client_feed.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <vector>

#include "delivery/jetstream/cluster_keys.hpp"
#include "delivery/jetstream/record_message.hpp"
#include "jetstream_fixture.hpp"
#include "nats/stream_reader.hpp"

namespace blender_bus::delivery::jetstream {
namespace {

using namespace std::chrono_literals;
using testing::CountingListener;
using testing::JetStreamTest;

class ClientFeedTest : public JetStreamTest {
 protected:
  void SetUp() override {
    if (!start()) return;
    node_ = node();
    reader_ = std::make_unique<nats::StreamReader>(node_->connection, kRecordStream);
  }

  // Stores one record for (bus, client); returns its seq.
  std::uint64_t store(const std::string& bus, const std::string& client, const std::string& text,
                      bus::Priority level = bus::Priority::info) {
    std::string digits;
    auto headers = record_headers(level, digits);
    const std::string subject = record_subject(bus, client);
    auto result = nats::testing::run_coroutine(
        node_->publisher.publish(nats::PublishRequest{subject, text, {}, std::nullopt, headers}));
    result.check();
    return result.sequence;
  }

  // A message as the stream's RePublish sends it, on a subject of our own.
  void republish_fake(const std::string& subject, const std::string& text, std::uint64_t seq,
                      std::uint64_t previous) {
    natsMsg* msg = nullptr;
    ASSERT_EQ(
        natsMsg_Create(&msg, subject.c_str(), nullptr, text.data(), static_cast<int>(text.size())),
        NATS_OK);
    natsMsgHeader_Set(msg, "Nats-Sequence", std::to_string(seq).c_str());
    natsMsgHeader_Set(msg, "Nats-Last-Sequence", std::to_string(previous).c_str());
    ASSERT_EQ(natsConnection_PublishMsg(connection_->native(), msg), NATS_OK);
    natsMsg_Destroy(msg);
    connection_->flush(2s);
  }

  std::shared_ptr<ClientFeed> open(const std::string& record_subject,
                                   const std::string& live_subject, std::uint64_t after) {
    return ClientFeed::open(ClientFeed::Services{node_->connection, node_->pool, *reader_},
                            record_subject, live_subject, after,
                            [this] { listener_.on_records(); });
  }

  // Everything the feed hands out until `count` records came (or 10 s).
  std::vector<LoggedRecord> take(ClientFeed& feed, std::size_t count) {
    std::vector<LoggedRecord> out;
    listener_.wait_until([&] {
      // Until next() is empty: the listener is told of news, not of each batch.
      for (auto batch = feed.next(100); !batch.empty(); batch = feed.next(100)) {
        for (auto& record : batch) out.push_back(std::move(record));
      }
      return out.size() >= count;
    });
    return out;
  }

  static std::vector<std::uint64_t> seqs(const std::vector<LoggedRecord>& records) {
    std::vector<std::uint64_t> out;
    for (const auto& record : records) out.push_back(record.seq);
    return out;
  }

  std::unique_ptr<testing::Node> node_;
  std::unique_ptr<nats::StreamReader> reader_;
  CountingListener listener_;
};

TEST_F(ClientFeedTest, HandsOutTheBacklogThenLiveRecordsInOrderWithTheirLevel) {
  const auto a1 = store("u1", "a", "first", bus::Priority::error);
  store("u1", "b", "another client");
  store("u2", "a", "another bus");
  const auto a2 = store("u1", "a", "second");
  auto feed = open(record_subject("u1", "a"), live_subject("u1", "a"), 0);
  auto backlog = take(*feed, 2);
  ASSERT_EQ(seqs(backlog), (std::vector<std::uint64_t>{a1, a2}));
  EXPECT_EQ(*backlog[0].text, "first");
  EXPECT_EQ(backlog[0].level, bus::Priority::error);
  EXPECT_EQ(backlog[1].level, bus::Priority::info);
  ASSERT_TRUE(testing::eventually([&] { return feed->caught_up(); }));

  const auto a3 = store("u1", "a", "live");
  store("u1", "b", "not for a");
  const auto a4 = store("u1", "a", "live too");
  auto live = take(*feed, 2);
  EXPECT_EQ(seqs(live), (std::vector<std::uint64_t>{a3, a4}));
  EXPECT_EQ(feed->position(), a4);
  EXPECT_TRUE(feed->next(10).empty());
  feed->close();
}

TEST_F(ClientFeedTest, StartsAfterItsCursor) {
  store("u1", "a", "1");
  const auto second = store("u1", "a", "2");
  const auto third = store("u1", "a", "3");
  auto feed = open(record_subject("u1", "a"), live_subject("u1", "a"), second);
  EXPECT_EQ(seqs(take(*feed, 1)), (std::vector<std::uint64_t>{third}));
  feed->close();
}

TEST_F(ClientFeedTest, AGapInTheLiveRecordsIsReadFromTheStreamFirst) {
  // The feed listens on a subject the stream does not republish to, so the
  // test decides which republished copies arrive: here the first two are lost.
  const std::string live = "test.live.a";
  auto feed = open(record_subject("u1", "a"), live, 0);
  ASSERT_TRUE(testing::eventually([&] { return feed->caught_up(); }));
  const auto s1 = store("u1", "a", "one");
  const auto s2 = store("u1", "a", "two");
  const auto s3 = store("u1", "a", "three");
  republish_fake(live, "three", s3, s2);
  auto got = take(*feed, 3);
  EXPECT_EQ(seqs(got), (std::vector<std::uint64_t>{s1, s2, s3}));
  EXPECT_EQ(*got[2].text, "three");

  // A duplicate (at or below what the feed took) is dropped.
  republish_fake(live, "two", s2, s1);
  const auto s4 = store("u1", "a", "four");
  republish_fake(live, "four", s4, s3);
  EXPECT_EQ(seqs(take(*feed, 1)), (std::vector<std::uint64_t>{s4}));
  std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(feed->next(10).empty());
  feed->close();
}

TEST_F(ClientFeedTest, CatchUpReadsARecordWhoseRepublishWasLost) {
  const std::string live = "test.live.a";
  auto feed = open(record_subject("u1", "a"), live, 0);
  ASSERT_TRUE(testing::eventually([&] { return feed->caught_up(); }));
  const auto s1 = store("u1", "a", "lost");
  std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(feed->next(10).empty());
  feed->catch_up();
  EXPECT_EQ(seqs(take(*feed, 1)), (std::vector<std::uint64_t>{s1}));
  feed->close();
}

TEST_F(ClientFeedTest, ALargeBacklogComesInChunksAndLiveRecordsWaitBehindIt) {
  std::vector<nats::PublishRequest> requests;
  const std::string subject = record_subject("u1", "a");
  const std::size_t backlog = ClientFeed::kMaxReady + 300;
  for (std::size_t i = 0; i < backlog; ++i) {
    requests.push_back(nats::PublishRequest{subject, "r", {}, std::nullopt, {}});
  }
  auto results = nats::testing::run_coroutine(node_->publisher.publish_all(requests));
  ASSERT_TRUE(nats::all_ok(results));
  auto feed = open(subject, live_subject("u1", "a"), 0);
  // The read pauses with kMaxReady waiting, and goes on as next() makes room.
  ASSERT_TRUE(testing::eventually(
      [&] { return !feed->caught_up() && feed->next(0).empty() && listener_.calls() > 0; }));
  const auto tail = store("u1", "a", "live");
  auto got = take(*feed, backlog + 1);
  ASSERT_EQ(got.size(), backlog + 1);
  for (std::size_t i = 1; i < got.size(); ++i) ASSERT_LT(got[i - 1].seq, got[i].seq);
  EXPECT_EQ(got.back().seq, tail);
  feed->close();
}

TEST_F(ClientFeedTest, AListenerThatDrainsTheFeedAsItIsToldDoesNotStallALargeBacklog) {
  // The listener empties the feed inside every fourth call, so the read
  // fills kMaxReady, decides to pause, and the listener drains it all before
  // the pause is recorded: the read must go on.
  std::vector<nats::PublishRequest> requests;
  const std::string subject = record_subject("u1", "a");
  const std::size_t backlog = 3 * ClientFeed::kMaxReady;
  for (std::size_t i = 0; i < backlog; ++i) {
    requests.push_back(nats::PublishRequest{subject, "r", {}, std::nullopt, {}});
  }
  ASSERT_TRUE(nats::all_ok(nats::testing::run_coroutine(node_->publisher.publish_all(requests))));
  std::atomic<std::size_t> drained{0};
  std::size_t calls = 0;
  static_assert(ClientFeed::kMaxReady == 4 * ClientFeed::kReadChunk);
  std::shared_ptr<ClientFeed> feed;
  std::mutex opened;
  std::unique_lock hold_open(opened);
  feed = ClientFeed::open(ClientFeed::Services{node_->connection, node_->pool, *reader_}, subject,
                          live_subject("u1", "a"), 0, [&] {
                            std::lock_guard wait_for_open(opened);
                            if (++calls % 4 == 0) drained += feed->next(backlog).size();
                          });
  hold_open.unlock();
  // (Records left after the last drain wait for a call that may not come.)
  EXPECT_TRUE(testing::eventually([&] {
    return drained.load() >= backlog - 3 * ClientFeed::kReadChunk;
  })) << drained.load();
  feed->close();
}

TEST_F(ClientFeedTest, NoListenerCallAfterClose) {
  auto feed = open(record_subject("u1", "a"), live_subject("u1", "a"), 0);
  ASSERT_TRUE(testing::eventually([&] { return feed->caught_up(); }));
  feed->close();
  const auto before = listener_.calls();
  store("u1", "a", "after close");
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(listener_.calls(), before);
}

}  // namespace
}  // namespace blender_bus::delivery::jetstream
