#include "nats/live_subscription.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "nats/provisioner.hpp"
#include "nats/publisher.hpp"
#include "nats_server_test.hpp"
#include "nats_servers.hpp"

namespace blender_bus::nats {
namespace {

using namespace std::chrono_literals;
using testing::NatsServers;
using testing::numbered;
using testing::run_coroutine;

struct Seen {
  std::string subject;
  std::string original_subject;
  std::string data;
  std::uint64_t sequence;
  std::uint64_t last_sequence;
};

class Received {
 public:
  LiveSubscription::Handler handler() {
    return [this](LiveMessage live) {
      std::lock_guard lock(mutex_);
      seen_.push_back({std::string(live.message.subject()),
                       std::string(live.message.header("Nats-Subject").value_or("")),
                       std::string(live.message.data()), live.sequence, live.last_sequence});
      changed_.notify_all();
    };
  }
  std::vector<Seen> wait_for(std::size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 10s, [&] { return seen_.size() >= count; });
    return seen_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Seen> seen_;
};

class LiveSubscriptionTest : public testing::NatsServerTest {
 protected:
  void SetUp() override {
    if (!start_servers(1)) return;
    StreamSpec spec;
    spec.name = "RECORDS";
    spec.subjects = {"rec.>"};
    spec.republish = StreamSpec::RePublish{"rec.>", "live.>", false};
    Provisioner(*connection_).ensure_stream(spec);
  }
};

TEST_F(LiveSubscriptionTest, RepublishedRecordsCarryTheirSequenceAndTheSubjectsPrevious) {
  Received received;
  LiveSubscription live(*connection_, "live.u1.*", received.handler());
  connection_->flush(2s);  // the subscription is registered before the publishes
  Publisher publisher(*connection_);
  std::vector<PublishRequest> requests{{"rec.u1.a", "1", {}, {}, {}},
                                       {"rec.u1.b", "2", {}, {}, {}},
                                       {"rec.u2.z", "other user", {}, {}, {}},
                                       {"rec.u1.a", "3", {}, {}, {}}};
  for (const auto& request : requests) {
    ASSERT_TRUE(run_coroutine(publisher.publish(request)).ok());  // one at a time: in order
  }

  auto seen = received.wait_for(3);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].subject, "live.u1.a");
  EXPECT_EQ(seen[0].original_subject, "rec.u1.a");
  EXPECT_EQ(seen[0].data, "1");
  EXPECT_EQ(seen[0].sequence, 1u);
  EXPECT_EQ(seen[0].last_sequence, 0u);
  EXPECT_EQ(seen[1].subject, "live.u1.b");
  EXPECT_EQ(seen[1].sequence, 2u);
  EXPECT_EQ(seen[1].last_sequence, 0u);
  EXPECT_EQ(seen[2].subject, "live.u1.a");
  EXPECT_EQ(seen[2].sequence, 4u);
  EXPECT_EQ(seen[2].last_sequence, 1u);  // rec.u1.a's previous record
  EXPECT_EQ(live.dropped(), 0u);
}

TEST_F(LiveSubscriptionTest, APlainMessageHasNoSequences) {
  Received received;
  LiveSubscription live(*connection_, "wake.node-a", received.handler());
  connection_->flush(2s);
  ASSERT_EQ(natsConnection_PublishString(connection_->native(), "wake.node-a", "hello"), NATS_OK);
  auto seen = received.wait_for(1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].data, "hello");
  EXPECT_EQ(seen[0].sequence, 0u);
  EXPECT_EQ(seen[0].last_sequence, 0u);
}

TEST_F(LiveSubscriptionTest, DestroyingWaitsForARunningHandler) {
  std::atomic<bool> in_handler{false};
  std::atomic<bool> handler_done{false};
  auto live = std::make_unique<LiveSubscription>(*connection_, "slow", [&](LiveMessage) {
    in_handler = true;
    std::this_thread::sleep_for(200ms);
    handler_done = true;
  });
  connection_->flush(2s);
  ASSERT_EQ(natsConnection_PublishString(connection_->native(), "slow", "x"), NATS_OK);
  for (int i = 0; i < 500 && !in_handler; ++i) std::this_thread::sleep_for(2ms);
  ASSERT_TRUE(in_handler);
  live.reset();
  EXPECT_TRUE(handler_done);
}

TEST_F(LiveSubscriptionTest, ManySubscriptionsShareTheDeliveryPool) {
  Received received;
  std::vector<std::unique_ptr<LiveSubscription>> subscriptions;
  for (int i = 0; i < 200; ++i) {
    subscriptions.push_back(
        std::make_unique<LiveSubscription>(*connection_, numbered("many.", i), received.handler()));
  }
  connection_->flush(2s);
  for (int i = 0; i < 200; ++i) {
    natsConnection_PublishString(connection_->native(), numbered("many.", i).c_str(), "x");
  }
  EXPECT_EQ(received.wait_for(200).size(), 200u);
  // Threads of this process: no thread per subscription (the pool has 2).
  std::size_t threads = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/self/task")) {
    ++threads;
  }
  EXPECT_LT(threads, 40u);
}

}  // namespace
}  // namespace blender_bus::nats
