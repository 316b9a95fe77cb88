#include "cluster/cluster.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "cluster/blocking_call.hpp"
#include "cluster/cluster_start_error.hpp"
#include "nats/subject_token.hpp"
#include "nats_server_test.hpp"

namespace blender_bus::cluster {
namespace {

using namespace std::chrono_literals;

class ClusterTest : public nats::testing::NatsServerTest {
 protected:
  ClusterOptions options(std::string node = "") const {
    ClusterOptions o;
    o.servers = servers_->urls();
    o.node_name = std::move(node);
    o.connect_wait = 5s;
    o.provision_wait = 5s;
    o.heartbeat_interval = 200ms;
    o.dead_after = 3s;  // long enough that a loaded machine's late heartbeat is no death
    return o;
  }
};

// Records a registry's events for a test to wait on.
class Events {
 public:
  void attach(NodeRegistry& registry) {
    registry.on_change([this](const NodeEvent& event) {
      std::lock_guard lock(mutex_);
      seen_.push_back(event);
      changed_.notify_all();
    });
  }
  bool wait_for(NodeEvent::Kind kind, const std::string& name) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] {
      for (const auto& e : seen_) {
        if (e.kind == kind && e.name == name) return true;
      }
      return false;
    });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<NodeEvent> seen_;
};

TEST_F(ClusterTest, StartsByCreatingItsAssetsAndAgainByFindingThem) {
  if (!start_servers(1)) return;
  ClusterOptions o = options();
  nats::KvSpec bucket;
  bucket.bucket = "EXTRA";
  o.buckets = {bucket};
  {
    Cluster first(o);
    EXPECT_EQ(first.status().nats, nats::ConnectionState::connected);
  }
  Cluster second(o);  // the same assets: nothing to change
  const auto written = blocking_call(second.bucket("EXTRA").put("k", "v"));
  EXPECT_GT(written, 0u);
}

TEST_F(ClusterTest, RefusesMoreReplicasThanTheDeploymentHas) {
  if (!start_servers(1)) return;
  ClusterOptions o = options();
  o.replicas = 3;
  try {
    Cluster cluster(o);
    FAIL() << "started with 3 replicas on one server";
  } catch (const ClusterStartError& error) {
    EXPECT_NE(std::string(error.what()).find("--cluster-replicas"), std::string::npos)
        << error.what();
  }
}

TEST_F(ClusterTest, RefusesAnAssetItCannotUpdate) {
  if (!start_servers(1)) return;
  ClusterOptions o = options();
  nats::StreamSpec stream;
  stream.name = "RECORDS";
  stream.subjects = {"rec.>"};
  stream.republish = nats::StreamSpec::RePublish{"rec.>", "live.>"};
  o.streams = {stream};
  { Cluster first(o); }
  o.streams.front().republish = nats::StreamSpec::RePublish{"rec.>", "other.>"};
  EXPECT_THROW(Cluster second(o), ClusterStartError);
}

TEST(ClusterStartTest, GivesUpOnUnreachableServersAfterTheWait) {
  ClusterOptions o;
  o.servers = {"nats://127.0.0.1:1"};
  o.connect_wait = 500ms;
  try {
    Cluster cluster(o);
    FAIL() << "started without a server";
  } catch (const ClusterStartError& error) {
    EXPECT_NE(std::string(error.what()).find("no NATS server answered at nats://127.0.0.1:1"),
              std::string::npos)
        << error.what();
  }
}

TEST_F(ClusterTest, NodesSeeEachOtherAndALeavingNodeAtOnce) {
  if (!start_servers(1)) return;
  Cluster a(options("a"));
  Events events;
  events.attach(a.nodes());
  auto b = std::make_unique<Cluster>(options("b"));
  ASSERT_TRUE(events.wait_for(NodeEvent::Kind::joined, "b"));
  EXPECT_TRUE(a.nodes().is_live("a"));
  EXPECT_TRUE(a.nodes().is_live("b"));
  // b hears its own first heartbeat about when a does, and the ack of its
  // put (which status().jetstream reports) may come just before or after.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  ClusterStatus status = b->status();
  while ((status.live_nodes.size() < 2 || !status.jetstream) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    status = b->status();
  }
  EXPECT_EQ(status.live_nodes, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(status.jetstream) << status.jetstream_error;
  b.reset();  // a clean stop deletes its key
  ASSERT_TRUE(events.wait_for(NodeEvent::Kind::died, "b"));
  EXPECT_FALSE(a.nodes().is_live("b"));
}

TEST_F(ClusterTest, ASilentNodeIsDeadAfterDeadAfter) {
  if (!start_servers(1)) return;
  Cluster a(options("a"));
  Events events;
  events.attach(a.nodes());
  // One heartbeat from a node that then goes silent (a crash).
  blocking_call(a.bucket(kNodesBucket).put(nats::encode_subject_token("ghost"), "{}"));
  ASSERT_TRUE(events.wait_for(NodeEvent::Kind::joined, "ghost"));
  ASSERT_TRUE(events.wait_for(NodeEvent::Kind::died, "ghost"));
  EXPECT_FALSE(a.nodes().is_live("ghost"));
  EXPECT_TRUE(a.nodes().is_live("a"));  // its own heartbeats go on
}

TEST_F(ClusterTest, AStartingNodeCountsOldHeartbeatsAsOld) {
  if (!start_servers(1)) return;
  {
    Cluster a(options("a"));
    blocking_call(a.bucket(kNodesBucket).put(nats::encode_subject_token("ghost"), "{}"));
  }
  std::this_thread::sleep_for(3200ms);  // longer than dead_after
  Cluster b(options("b"));
  EXPECT_FALSE(b.nodes().is_live("ghost"));
}

TEST(ServerUrlsTest, SplitsCommasAndAddsTheScheme) {
  EXPECT_EQ(parse_server_urls({"nats://a:4222,b:4223", "tls://c:1"}),
            (std::vector<std::string>{"nats://a:4222", "nats://b:4223", "tls://c:1"}));
  EXPECT_THROW(parse_server_urls({""}), std::invalid_argument);
  EXPECT_THROW(parse_server_urls({"http://a:1"}), std::invalid_argument);
  EXPECT_THROW(parse_server_urls({"nats://a"}), std::invalid_argument);
  EXPECT_THROW(parse_server_urls({"nats://a:1/x"}), std::invalid_argument);
}

TEST(NodeNameTest, IsOneReadableToken) {
  EXPECT_FALSE(node_name_problem("node-1.eu_west"));
  EXPECT_TRUE(node_name_problem(""));
  EXPECT_TRUE(node_name_problem("a b"));
  EXPECT_TRUE(node_name_problem(std::string(65, 'a')));
}

}  // namespace
}  // namespace blender_bus::cluster
