#include "nats/publisher.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "nats/provisioner.hpp"
#include "nats_server_test.hpp"
#include "nats_servers.hpp"

namespace blender_bus::nats {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::NatsServers;
using testing::numbered;
using testing::run_coroutine;

std::uint64_t stored_messages(Connection& connection, const char* stream) {
  jsStreamInfo* info = nullptr;
  check(js_GetStreamInfo(&info, connection.jetstream(), stream, nullptr, nullptr), "stream info");
  std::uint64_t count = info->State.Msgs;
  jsStreamInfo_Destroy(info);
  return count;
}

class PublisherTest : public testing::NatsServerTest {
 protected:
  void SetUp() override {
    if (!start_servers(1)) return;
    StreamSpec spec;
    spec.name = "PUB";
    spec.subjects = {"pub.>"};
    Provisioner(*connection_).ensure_stream(spec);
  }
};

TEST_F(PublisherTest, ABatchIsAckedWithOneSequencePerMessage) {
  Publisher publisher(*connection_);
  std::vector<std::string> payloads;
  for (int i = 0; i < 1000; ++i) payloads.push_back(numbered("record ", i));
  std::vector<PublishRequest> requests;
  for (const auto& payload : payloads) requests.push_back({"pub.a", payload, {}, {}, {}});

  auto results = run_coroutine(publisher.publish_all(requests));
  ASSERT_EQ(results.size(), 1000u);
  std::set<std::uint64_t> sequences;
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.error->what();
    EXPECT_FALSE(result.duplicate);
    EXPECT_EQ(result.attempts, 1u);
    sequences.insert(result.sequence);
  }
  EXPECT_EQ(sequences.size(), 1000u);
  EXPECT_EQ(*sequences.begin(), 1u);
  EXPECT_EQ(*sequences.rbegin(), 1000u);
  // In start() order: one subject, no retries.
  for (std::size_t i = 1; i < results.size(); ++i) {
    EXPECT_LT(results[i - 1].sequence, results[i].sequence);
  }
  EXPECT_EQ(stored_messages(*connection_, "PUB"), 1000u);
  EXPECT_TRUE(publisher.drain(1s));
  auto stats = publisher.stats();
  EXPECT_EQ(stats.acked, 1000u);
  EXPECT_EQ(stats.outstanding, 0u);
}

TEST_F(PublisherTest, TheSameMsgIdIsStoredOnce) {
  Publisher publisher(*connection_);
  PublishRequest request{"pub.dedup", "once", "message-1", {}, {}};
  auto first = run_coroutine(publisher.publish(request));
  auto second = run_coroutine(publisher.publish(request));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(first.duplicate);
  EXPECT_TRUE(second.duplicate);
  EXPECT_EQ(second.sequence, first.sequence);
  EXPECT_EQ(stored_messages(*connection_, "PUB"), 1u);
}

TEST_F(PublisherTest, AnExpectationThatFailsIsAConflictWithTheActualSequence) {
  Publisher publisher(*connection_);
  auto first = run_coroutine(publisher.publish({"pub.cas", "v1", {}, 0, {}}));
  ASSERT_TRUE(first.ok());

  auto again_new = run_coroutine(publisher.publish({"pub.cas", "v1 again", {}, 0, {}}));
  ASSERT_FALSE(again_new.ok());
  EXPECT_TRUE(again_new.wrong_last_sequence());
  EXPECT_EQ(again_new.actual_last_sequence, first.sequence);
  EXPECT_EQ(again_new.attempts, 1u);  // final at once, never retried

  auto stale = run_coroutine(publisher.publish({"pub.cas", "v2", {}, first.sequence + 5, {}}));
  EXPECT_TRUE(stale.wrong_last_sequence());
  EXPECT_EQ(stale.actual_last_sequence, first.sequence);
  EXPECT_EQ(stale.error->js_code(), 10071);

  auto right = run_coroutine(publisher.publish({"pub.cas", "v2", {}, first.sequence, {}}));
  ASSERT_TRUE(right.ok()) << right.error->what();
  EXPECT_GT(right.sequence, first.sequence);
}

TEST_F(PublisherTest, NoStreamForTheSubjectFailsAfterRetryingToTheDeadline) {
  Publisher::Options options;
  options.deadline = 400ms;
  Publisher publisher(*connection_, options);
  auto result = run_coroutine(publisher.publish({"nostream.x", "lost", {}, {}, {}}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error->status(), NATS_NO_RESPONDERS);
  EXPECT_GT(result.attempts, 1u);
  EXPECT_NE(std::string(result.error->what()).find("nostream.x"), std::string::npos);
}

TEST_F(PublisherTest, AMessageOverTheServersLimitFailsAtOnce) {
  Publisher publisher(*connection_);
  std::string big(static_cast<std::size_t>(connection_->max_payload()) + 1, 'x');
  auto result = run_coroutine(publisher.publish({"pub.big", big, {}, {}, {}}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error->status(), NATS_MAX_PAYLOAD);
  EXPECT_EQ(result.attempts, 1u);
}

TEST_F(PublisherTest, OverMaxInFlightMessagesQueueAndBeyondMaxQueuedTheyFail) {
  Publisher::Options options;
  options.max_in_flight = 4;
  options.max_queued = 10;
  Publisher publisher(*connection_, options);
  std::vector<std::string> payloads;
  for (int i = 0; i < 20; ++i) payloads.push_back(std::to_string(i));
  std::vector<PublishRequest> requests;
  for (const auto& payload : payloads) requests.push_back({"pub.q", payload, {}, {}, {}});

  auto results = run_coroutine(publisher.publish_all(requests));
  int ok = 0, refused = 0;
  std::uint64_t last = 0;
  for (const auto& result : results) {
    if (result.ok()) {
      ++ok;
      EXPECT_GT(result.sequence, last);  // queued ones keep their order
      last = result.sequence;
    } else {
      ++refused;
      EXPECT_EQ(result.error->status(), NATS_INSUFFICIENT_BUFFER);
      EXPECT_EQ(result.attempts, 0u);
    }
  }
  // start() sorts the whole batch before sending any: 4 out, 10 waiting, 6 refused.
  EXPECT_EQ(ok, 14);
  EXPECT_EQ(refused, 6);
  EXPECT_EQ(stored_messages(*connection_, "PUB"), static_cast<std::uint64_t>(ok));
}

TEST_F(PublisherTest, TheCallbackFormRunsOnTheGivenExecutor) {
  Publisher publisher(*connection_);
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::thread::id ran_on;
  PublishResult got;
  publisher.publish(PublishRequest{"pub.cb", "x", {}, {}, {}}, io.get_executor(),
                    [&](PublishResult result) {
                      ran_on = std::this_thread::get_id();
                      got = std::move(result);
                      work.reset();
                    });
  io.run();
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got.sequence, 1u);
}

TEST_F(PublisherTest, ABatchCanBeAwaitedAfterItSettled) {
  Publisher publisher(*connection_);
  auto batch = publisher.start(PublishRequest{"pub.later", "x", {}, {}, {}});
  ASSERT_TRUE(publisher.drain(5s));
  EXPECT_TRUE(batch->settled());
  auto results = run_coroutine(batch->wait());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].ok());
  auto empty = publisher.start(std::span<const PublishRequest>{});
  EXPECT_TRUE(empty->settled());
}

TEST_F(PublisherTest, RetriesWithTheSameMsgIdThroughAServerRestart) {
  Publisher::Options options;
  options.ack_wait = 300ms;
  Publisher publisher(*connection_, options);
  servers_->kill("n1");
  std::vector<std::string> payloads;
  for (int i = 0; i < 100; ++i) payloads.push_back(numbered("during the outage ", i));
  std::vector<PublishRequest> requests;
  for (const auto& payload : payloads) requests.push_back({"pub.outage", payload, {}, {}, {}});
  auto batch = publisher.start(requests);
  std::this_thread::sleep_for(700ms);  // the outage: attempts time out meanwhile
  servers_->restart("n1");

  auto results = run_coroutine(batch->wait());
  std::set<std::uint64_t> sequences;
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.error->what();
    sequences.insert(result.sequence);
  }
  EXPECT_EQ(sequences.size(), 100u);
  EXPECT_EQ(stored_messages(*connection_, "PUB"), 100u);
  EXPECT_GT(publisher.stats().retries, 0u);
}

TEST_F(PublisherTest, ClosingFailsWhatIsStillOutstanding) {
  std::shared_ptr<PublishBatch> batch;
  servers_->kill("n1");
  {
    Publisher publisher(*connection_);
    std::vector<PublishRequest> requests(5, PublishRequest{"pub.closing", "x", {}, {}, {}});
    batch = publisher.start(requests);
  }
  ASSERT_TRUE(batch->settled());
  for (const auto& result : run_coroutine(batch->wait())) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error->status(), NATS_CONNECTION_CLOSED);
  }
}

}  // namespace
}  // namespace blender_bus::nats
