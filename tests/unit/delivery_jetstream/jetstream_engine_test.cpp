#include "delivery/jetstream/jetstream_engine.hpp"

#include <gtest/gtest.h>

#include "jetstream_fixture.hpp"

namespace blender_bus::delivery::jetstream {
namespace {

using namespace std::chrono_literals;
using nats::testing::run_coroutine;
using testing::CountingListener;
using testing::eventually;

boost::asio::awaitable<bool> settle(Settlement& settlement) {
  co_return co_await settlement.settled();
}

class JetStreamEngineTest : public testing::JetStreamTest {
 protected:
  std::unique_ptr<JetStreamEngine> engine(testing::Node& node, std::string name) {
    JetStreamEngine::Options options;
    options.node = std::move(name);
    return std::make_unique<JetStreamEngine>(
        node.connection, node.publisher, node.pool, [] { return 1000.0; }, options,
        JetStreamDirectory::NodeLive{});
  }
};

// One send's path across two nodes, as BusService drives the ports: the
// worker's feed is held on B; the sender on A resolves it, opens a job,
// appends; the worker's job update on B is routed to the sender's feed on A.
TEST_F(JetStreamEngineTest, ASendAndItsJobUpdateCrossNodesThroughThePorts) {
  if (!start(3)) return;  // three NATS servers, R3 assets
  auto a = node();
  auto b = node();
  auto on_a = engine(*a, "node-a");
  auto on_b = engine(*b, "node-b");

  bus::Registration worker{"worker", "blender", true, {}, std::nullopt, "session-b"};
  ASSERT_TRUE(run_coroutine(on_b->directory().register_client("u1", worker)).stored);
  bus::Registration llm{"llm", "llm", false, {}, std::nullopt, "session-a"};
  ASSERT_TRUE(run_coroutine(on_a->directory().register_client("u1", llm)).stored);
  CountingListener worker_listener;
  auto worker_feed = on_b->record_log().open_feed("u1", "worker", std::nullopt, worker_listener);
  ASSERT_TRUE(worker_feed.feed);
  on_b->directory().hold("u1", "worker", "session-b");
  CountingListener llm_listener;
  auto llm_feed = on_a->record_log().open_feed("u1", "llm", std::nullopt, llm_listener);
  ASSERT_TRUE(llm_feed.feed);
  on_a->directory().hold("u1", "llm", "session-a");

  // The send on A.
  ASSERT_TRUE(eventually([&] { return on_a->directory().online("u1", "worker"); }));
  const auto targets = on_a->directory().resolve("u1", {bus::RoutingMode::direct, "worker"}, "llm");
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_TRUE(targets[0].persistent);
  auto job = on_a->directory().open_job("u1", "job-1", "llm", "uuid:worker", 1000);
  AppendRequest request{"op-1", {}, true};
  request.records.push_back(OutgoingRecord{"worker", true, bus::Priority::info,
                                           std::make_shared<const std::string>("render"), 1000});
  auto append = on_a->record_log().append("u1", std::move(request));
  ASSERT_TRUE(run_coroutine(settle(*job)));
  ASSERT_TRUE(run_coroutine(settle(*append)));

  std::vector<LoggedRecord> got;
  ASSERT_TRUE(worker_listener.wait_until([&] {
    for (auto& r : worker_feed.feed->next(10)) got.push_back(std::move(r));
    return !got.empty();
  }));
  EXPECT_EQ(got[0].seq, append->seqs()[0]);
  EXPECT_EQ(*got[0].text, "render");
  worker_feed.feed->acknowledge(got[0].seq);

  // The update on B goes to the originator, whose feed is on A.
  ASSERT_TRUE(
      eventually([&] { return on_b->directory().job_originator("u1", "job-1").has_value(); }));
  const auto originator = *on_b->directory().job_originator("u1", "job-1");
  EXPECT_EQ(originator, "llm");
  bus::JobUpdate update;
  update.job_id = "job-1";
  update.status = "completed";
  auto closed = on_b->directory().correlate_job("u1", update, 1001);
  AppendRequest reply{"op-2", {}, true};
  reply.records.push_back(OutgoingRecord{originator, false, bus::Priority::info,
                                         std::make_shared<const std::string>("done"), 1001});
  auto replied = on_b->record_log().append("u1", std::move(reply));
  ASSERT_TRUE(run_coroutine(settle(*closed)));
  ASSERT_TRUE(run_coroutine(settle(*replied)));
  std::vector<LoggedRecord> answers;
  ASSERT_TRUE(llm_listener.wait_until([&] {
    for (auto& r : llm_feed.feed->next(10)) answers.push_back(std::move(r));
    return !answers.empty();
  }));
  EXPECT_EQ(*answers[0].text, "done");
  EXPECT_GT(answers[0].seq, got[0].seq);  // one stream: seqs comparable across the bus
  ASSERT_TRUE(eventually([&] {
    auto state = on_a->directory().job_state("u1", "job-1");
    return state && state->status == "completed";
  }));
  EXPECT_EQ(on_a->directory().open_job_count("u1"), 0u);

  // Node B goes away: the worker resumes on A after its cursor.
  on_b->jetstream_log().flush_cursors();
  worker_feed.feed.reset();
  on_b.reset();
  auto again = run_coroutine(on_a->directory().register_client("u1", worker));
  ASSERT_TRUE(again.stored);
  EXPECT_TRUE(again.client.is_persistent);
  AppendRequest later{"op-3", {}, false};
  later.records.push_back(OutgoingRecord{"worker", true, bus::Priority::info,
                                         std::make_shared<const std::string>("next"), 1002});
  auto third = on_a->record_log().append("u1", std::move(later));
  ASSERT_TRUE(run_coroutine(settle(*third)));
  ASSERT_TRUE(
      eventually([&] { return on_a->jetstream_log().cursor("u1", "worker") == got[0].seq; }));
  CountingListener moved;
  auto resumed = on_a->record_log().open_feed("u1", "worker", std::nullopt, moved);
  ASSERT_TRUE(resumed.feed);
  std::vector<LoggedRecord> missed;
  ASSERT_TRUE(moved.wait_until([&] {
    for (auto& r : resumed.feed->next(10)) missed.push_back(std::move(r));
    return !missed.empty();
  }));
  ASSERT_EQ(missed.size(), 1u);
  EXPECT_EQ(*missed[0].text, "next");
  llm_feed.feed.reset();
  resumed.feed.reset();
}

}  // namespace
}  // namespace blender_bus::delivery::jetstream
