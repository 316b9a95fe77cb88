#include "delivery/jetstream/jetstream_directory.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "jetstream_fixture.hpp"

namespace blender_bus::delivery::jetstream {
namespace {

using namespace std::chrono_literals;
using nats::testing::run_coroutine;
using testing::eventually;
using testing::JetStreamTest;

bus::Registration registration(std::string uuid, std::string holder, bool persistent = false,
                               std::string type = "blender",
                               std::optional<std::string> group = std::nullopt) {
  bus::Registration r;
  r.client_uuid = std::move(uuid);
  r.client_type = std::move(type);
  r.is_persistent = persistent;
  r.group_id = std::move(group);
  r.session_id = std::move(holder);
  return r;
}

std::vector<std::string> uuids(const std::vector<Target>& targets) {
  std::vector<std::string> out;
  for (const auto& t : targets) out.push_back(t.uuid);
  return out;
}

boost::asio::awaitable<bool> settle(std::unique_ptr<Settlement> settlement) {
  co_return co_await settlement->settled();
}

class JetStreamDirectoryTest : public JetStreamTest {
 protected:
  void SetUp() override {
    if (!start()) return;
    a_ = node();
    b_ = node();
    dir_a_ = make(*a_, "node-a");
    dir_b_ = make(*b_, "node-b");
  }
  void TearDown() override {
    dir_a_.reset();
    dir_b_.reset();
  }

  std::unique_ptr<JetStreamDirectory> make(testing::Node& node, std::string name) {
    JetStreamDirectory::Options options;
    options.node = std::move(name);
    options.limits.max_clients = 5;
    return std::make_unique<JetStreamDirectory>(
        node.connection, node.publisher, node.pool, [this] { return now_.load(); }, options,
        [this](std::string_view n) { return dead_.count(std::string(n)) == 0; });
  }

  RegisterResult reg(JetStreamDirectory& dir, const BusId& bus, bus::Registration r) {
    return run_coroutine(dir.register_client(bus, std::move(r)));
  }

  std::unique_ptr<testing::Node> a_, b_;
  std::unique_ptr<JetStreamDirectory> dir_a_, dir_b_;
  std::atomic<double> now_{1000};
  std::set<std::string> dead_;
};

TEST_F(JetStreamDirectoryTest, AClientRegisteredOnOneNodeIsResolvedOnTheOther) {
  auto result = reg(*dir_a_, "u1", registration("w1", "s-a", true, "blender", "farm"));
  ASSERT_TRUE(result.stored);
  EXPECT_FALSE(result.refusal);
  EXPECT_EQ(result.client.uuid, "w1");
  EXPECT_TRUE(result.client.is_persistent);
  // Read-your-write on the registering node.
  EXPECT_EQ(uuids(dir_a_->resolve("u1", {bus::RoutingMode::direct, "w1"}, "x")),
            std::vector<std::string>{"w1"});
  ASSERT_TRUE(eventually([&] { return dir_b_->find("u1", "w1").has_value(); }));
  reg(*dir_b_, "u1", registration("w2", "s-b", false, "blender", "farm"));
  reg(*dir_b_, "u1", registration("llm", "s-b", false, "llm"));
  ASSERT_TRUE(eventually([&] { return dir_a_->snapshot("u1").ephemeral.size() == 2; }));
  for (auto* dir : {dir_a_.get(), dir_b_.get()}) {
    EXPECT_EQ(uuids(dir->resolve("u1", {bus::RoutingMode::group, "farm"}, "x")),
              (std::vector<std::string>{"w1", "w2"}));
    EXPECT_EQ(uuids(dir->resolve("u1", {bus::RoutingMode::type_filter, "llm"}, "x")),
              std::vector<std::string>{"llm"});
    // Broadcast: everyone but the origin, persistent first.
    EXPECT_EQ(uuids(dir->resolve("u1", {bus::RoutingMode::broadcast, ""}, "llm")),
              (std::vector<std::string>{"w1", "w2"}));
  }
  auto targets = dir_a_->resolve("u1", {bus::RoutingMode::direct, "w2"}, "x");
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_FALSE(targets[0].persistent);
  EXPECT_EQ(targets[0].holder, "s-b");
  EXPECT_TRUE(dir_a_->resolve("u2", {bus::RoutingMode::broadcast, ""}, "x").empty());
}

TEST_F(JetStreamDirectoryTest, ReRegisteringUpdatesInPlaceAndATakeoverNamesTheDisplacedHolder) {
  reg(*dir_a_, "u1", registration("w1", "s-a", true, "blender", "farm"));
  now_ = 2000;
  ASSERT_TRUE(eventually([&] { return dir_b_->find("u1", "w1").has_value(); }));
  auto again = reg(*dir_b_, "u1", registration("w1", "s-b", false, "renderer"));
  ASSERT_TRUE(again.stored);
  EXPECT_EQ(again.displaced_holder, "s-a");
  EXPECT_TRUE(again.client.is_persistent);  // the bucket stays
  EXPECT_EQ(again.client.connected_at, 1000);
  EXPECT_EQ(again.client.last_seen, 2000);
  EXPECT_EQ(again.client.client_type, "renderer");
  EXPECT_FALSE(again.client.group_id);
  ASSERT_TRUE(eventually([&] {
    auto seen = dir_a_->find("u1", "w1");
    return seen && seen->client_type == "renderer";
  }));
  EXPECT_TRUE(dir_a_->resolve("u1", {bus::RoutingMode::group, "farm"}, "x").empty());
  EXPECT_EQ(dir_a_->clients_of("u1", "s-b"), std::vector<std::string>{"w1"});
  EXPECT_TRUE(dir_a_->clients_of("u1", "s-a").empty());
}

TEST_F(JetStreamDirectoryTest, ConcurrentRegistrationsOnTwoNodesBothApply) {
  // Node B's mirror has not seen A's write when it registers the same uuid:
  // its compare-and-set fails, it rereads from the leader, and updates in place.
  for (int i = 0; i < 20; ++i) {
    const std::string uuid = nats::testing::numbered("c", i);
    auto on_a = std::async(std::launch::async,
                           [&] { return reg(*dir_a_, "u1", registration(uuid, "s-a", true)); });
    auto on_b = std::async(std::launch::async,
                           [&] { return reg(*dir_b_, "u1", registration(uuid, "s-b", true)); });
    auto a = on_a.get();
    auto b = on_b.get();
    ASSERT_TRUE(a.stored && b.stored) << i;
    // Exactly one of them found the other's registration and took it over.
    EXPECT_NE(a.displaced_holder.has_value(), b.displaced_holder.has_value()) << i;
    if (i == 4) break;  // five clients: the bus's bound
  }
}

TEST_F(JetStreamDirectoryTest, TheClientsPerBusBoundRefuses) {
  for (int i = 0; i < 5; ++i)
    reg(*dir_a_, "u1", registration(nats::testing::numbered("c", i), "s"));
  auto refused = reg(*dir_a_, "u1", registration("one-more", "s"));
  ASSERT_TRUE(refused.refusal);
  EXPECT_NE(refused.refusal->find("max-clients-per-bus"), std::string::npos);
  EXPECT_FALSE(reg(*dir_a_, "u2", registration("other-bus", "s")).refusal);
}

TEST_F(JetStreamDirectoryTest, UnregisterAndEndHolder) {
  reg(*dir_a_, "u1", registration("p", "s-a", true));
  reg(*dir_a_, "u1", registration("e", "s-a", false));
  reg(*dir_a_, "u1", registration("other", "s-x", false));
  auto left = dir_a_->end_holder("u1", "s-a");
  EXPECT_EQ(left, std::vector<std::string>{"e"});
  EXPECT_FALSE(dir_a_->find("u1", "e"));
  ASSERT_TRUE(dir_a_->find("u1", "p"));
  EXPECT_TRUE(dir_a_->find("u1", "p")->session_id.empty());
  ASSERT_TRUE(eventually([&] {
    auto p = dir_b_->find("u1", "p");
    return p && p->session_id.empty() && !dir_b_->find("u1", "e") && dir_b_->find("u1", "other");
  }));
  auto gone = run_coroutine(dir_b_->unregister_client("u1", "p"));
  EXPECT_TRUE(gone.found && gone.stored);
  EXPECT_FALSE(dir_b_->find("u1", "p"));
  ASSERT_TRUE(eventually([&] { return !dir_a_->find("u1", "p"); }));
  EXPECT_FALSE(run_coroutine(dir_a_->unregister_client("u1", "p")).found);
}

TEST_F(JetStreamDirectoryTest, PresenceIsWhoHoldsTheFeedOnANodeThatLives) {
  reg(*dir_a_, "u1", registration("w1", "s-a", true));
  ASSERT_TRUE(eventually([&] { return dir_b_->find("u1", "w1").has_value(); }));
  EXPECT_FALSE(dir_b_->online("u1", "w1"));
  dir_a_->hold("u1", "w1", "s-a");
  EXPECT_TRUE(dir_a_->online("u1", "w1"));
  ASSERT_TRUE(eventually([&] { return dir_b_->online("u1", "w1"); }));
  EXPECT_TRUE(dir_b_->snapshot("u1").persistent.at(0).online);
  // Node A dies (its heartbeats stop): its clients are offline everywhere.
  dead_.insert("node-a");
  EXPECT_FALSE(dir_b_->online("u1", "w1"));
  // The client moves to node B.
  dir_b_->hold("u1", "w1", "s-b");
  EXPECT_TRUE(dir_b_->online("u1", "w1"));
  dead_.clear();
  // A's late release does not take B's hold away.
  ASSERT_TRUE(eventually([&] { return dir_a_->online("u1", "w1"); }));
  dir_a_->release("u1", "w1", "s-a");
  std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(dir_b_->online("u1", "w1"));
  dir_b_->release("u1", "w1", "s-b");
  EXPECT_FALSE(dir_b_->online("u1", "w1"));
  ASSERT_TRUE(eventually([&] { return !dir_a_->online("u1", "w1"); }));
}

TEST_F(JetStreamDirectoryTest, ARestartedNodeDropsThePresenceItLeft) {
  reg(*dir_a_, "u1", registration("w1", "s-a", true));
  dir_a_->hold("u1", "w1", "s-a");
  ASSERT_TRUE(eventually([&] { return dir_b_->online("u1", "w1"); }));
  dir_a_.reset();  // killed: nothing released
  EXPECT_TRUE(dir_b_->online("u1", "w1"));
  dir_a_ = make(*a_, "node-a");
  ASSERT_TRUE(eventually([&] { return !dir_b_->online("u1", "w1"); }));
}

TEST_F(JetStreamDirectoryTest, JobsAreSeenAndCorrelatedOnEveryNode) {
  ASSERT_TRUE(run_coroutine(settle(dir_a_->open_job("u1", "job-1", "llm", "uuid:w1", 1000))));
  EXPECT_EQ(dir_a_->job_originator("u1", "job-1"), "llm");
  ASSERT_TRUE(eventually([&] { return dir_b_->job_originator("u1", "job-1") == "llm"; }));
  EXPECT_EQ(dir_b_->open_job_count("u1"), 1u);
  bus::JobUpdate update;
  update.job_id = "job-1";
  update.status = "running";
  update.progress = 0.5;
  ASSERT_TRUE(run_coroutine(settle(dir_b_->correlate_job("u1", update, 1001))));
  ASSERT_TRUE(eventually([&] {
    auto state = dir_a_->job_state("u1", "job-1");
    return state && state->status == "running";
  }));
  const auto running = *dir_a_->job_state("u1", "job-1");
  EXPECT_EQ(running.progress, 0.5);
  EXPECT_EQ(running.originator, "llm");
  EXPECT_EQ(running.target, "uuid:w1");
  update.status = "completed";
  update.result = "done";
  update.progress.reset();
  ASSERT_TRUE(run_coroutine(settle(dir_b_->correlate_job("u1", update, 1002))));
  ASSERT_TRUE(eventually([&] { return !dir_a_->job_originator("u1", "job-1"); }));
  auto finished = dir_a_->job_state("u1", "job-1");
  ASSERT_TRUE(finished);
  EXPECT_EQ(finished->status, "completed");
  EXPECT_EQ(finished->result, "done");
  EXPECT_GT(finished->version, running.version);
  EXPECT_EQ(dir_a_->open_job_count("u1"), 0u);
  EXPECT_EQ(dir_a_->latest_jobs("u1", 10).size(), 1u);
  EXPECT_FALSE(dir_a_->job_state("u2", "job-1"));
}

TEST_F(JetStreamDirectoryTest, AWithdrawnJobIsUndone) {
  auto opening = dir_a_->open_job("u1", "job-w", "llm", "broadcast", 1000);
  opening->withdraw();
  std::this_thread::sleep_for(200ms);
  ASSERT_TRUE(eventually([&] { return !dir_b_->job_state("u1", "job-w"); }));
}

TEST_F(JetStreamDirectoryTest, PurgeForgetsOneBusEverywhere) {
  reg(*dir_a_, "u1", registration("w1", "s-a", true));
  reg(*dir_a_, "u2", registration("w1", "s-a", true));
  dir_a_->hold("u1", "w1", "s-a");
  run_coroutine(settle(dir_a_->open_job("u1", "j", "w1", "broadcast", 1)));
  ASSERT_TRUE(eventually([&] { return dir_b_->job_state("u1", "j").has_value(); }));
  // b purges what its mirrors hold: the client, at least, it must have heard of.
  ASSERT_TRUE(eventually([&] { return dir_b_->find("u1", "w1").has_value(); }));
  dir_b_->purge_bus("u1");
  EXPECT_FALSE(dir_b_->find("u1", "w1"));
  ASSERT_TRUE(eventually([&] {
    return !dir_a_->find("u1", "w1") && !dir_a_->online("u1", "w1") &&
           !dir_a_->job_state("u1", "j");
  }));
  EXPECT_TRUE(dir_a_->find("u2", "w1"));
  // A namesake starts empty: a third node loads nothing of it.
  auto c = node();
  auto dir_c = make(*c, "node-c");
  EXPECT_FALSE(dir_c->find("u1", "w1"));
  EXPECT_TRUE(dir_c->find("u2", "w1"));
}

TEST_F(JetStreamDirectoryTest, ANewNodeLoadsTheClientsInFirstRegistrationOrder) {
  for (const char* uuid : {"first", "second", "third"}) {
    reg(*dir_a_, "u1", registration(uuid, "s", false));
    now_ = now_ + 1;
  }
  // Re-registering "first" writes its key last; the order stays.
  reg(*dir_a_, "u1", registration("first", "s", false));
  auto c = node();
  auto dir_c = make(*c, "node-c");
  EXPECT_EQ(uuids(dir_c->resolve("u1", {bus::RoutingMode::broadcast, ""}, "x")),
            (std::vector<std::string>{"first", "second", "third"}));
}

}  // namespace
}  // namespace blender_bus::delivery::jetstream
