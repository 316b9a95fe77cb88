#include "delivery/embedded/bus_manager.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "../bus/test_support.hpp"

namespace blender_bus::delivery::embedded {
namespace {

using Strings = std::vector<std::string>;

class BusManagerTest : public ::testing::Test {
 protected:
  bus::test::ManualClock clock_;
  BusManager manager_{clock_.clock(), bus::test::counting_random()};
};

TEST_F(BusManagerTest, OneBusPerUserCreatedOnFirstUse) {
  EXPECT_EQ(manager_.find("alice"), nullptr);
  EXPECT_EQ(manager_.bus_count(), 0u);
  auto a = manager_.bus("alice");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->user_id(), "alice");
  EXPECT_EQ(manager_.bus("alice"), a);
  EXPECT_EQ(manager_.find("alice"), a);
  EXPECT_NE(manager_.bus("bob"), a);
  EXPECT_EQ(manager_.bus_count(), 2u);
}

TEST_F(BusManagerTest, ARemovedBusIsForgottenAndTheNextUseStartsEmpty) {
  auto old = manager_.bus("alice");
  old->register_client({"p1", "blender", true, {}, std::nullopt, "s1"});
  manager_.bus("bob");
  EXPECT_TRUE(manager_.remove("alice"));
  EXPECT_FALSE(manager_.remove("alice"));
  EXPECT_EQ(manager_.find("alice"), nullptr);
  EXPECT_EQ(manager_.bus_count(), 1u);
  auto fresh = manager_.bus("alice");
  EXPECT_NE(fresh, old);
  EXPECT_EQ(fresh->client_count(), 0u);
}

TEST_F(BusManagerTest, UsersNeverSeeEachOther) {
  auto alice = manager_.bus("alice");
  auto bob = manager_.bus("bob");
  alice->register_client({"b-1", "blender", true, {}, std::nullopt, "s-a"});
  bob->register_client({"b-1", "blender", true, {}, std::nullopt, "s-b"});
  bob->register_client({"b-2", "blender", true, {}, std::nullopt, "s-b"});

  auto out = alice->send({}, {});
  ASSERT_EQ(out.deliveries.size(), 1u);
  EXPECT_EQ(out.deliveries[0].session_id, "s-a");

  // Same job id on both buses: each reply goes to its own user's originator.
  alice->send({{"job_id", "job-1"}}, {.target_uuid = "b-1", .from_uuid = "b-1"});
  auto reply = bob->job_update({"job-1", "completed", "", ""});
  EXPECT_EQ(reply.result.at("delivered"), "broadcast");
  EXPECT_EQ(alice->stats().pending_jobs, 1u);
  EXPECT_EQ(manager_.client_count(), 3u);
}

TEST_F(BusManagerTest, SessionEndReachesOnlyThatUsersBus) {
  auto alice = manager_.bus("alice");
  auto bob = manager_.bus("bob");
  alice->register_client({"llm-1", "llm", false, {}, std::nullopt, "s-1"});
  bob->register_client({"llm-1", "llm", false, {}, std::nullopt, "s-1"});
  EXPECT_EQ(manager_.on_session_end("alice", "s-1"), Strings{"llm-1"});
  EXPECT_EQ(alice->client_count(), 0u);
  EXPECT_EQ(bob->client_count(), 1u);
  EXPECT_EQ(manager_.on_session_end("carol", "s-1"), Strings{});
  EXPECT_EQ(manager_.find("carol"), nullptr);  // ending a session creates no bus
}

TEST_F(BusManagerTest, NewIdIsAUuidFromTheInjectedSource) {
  EXPECT_EQ(manager_.new_id(), bus::test::kFirstUuid);
}

// Smoke test for the locking (meaningful under the sanitizer build): many
// threads registering, sending and answering jobs on shared and own buses.
TEST(BusManagerConcurrency, ParallelTrafficKeepsCountsConsistent) {
  bus::RandomSource random = [](std::span<unsigned char> out) {
    thread_local unsigned n = 0;
    for (auto& b : out) b = static_cast<unsigned char>(n++);
  };
  BusManager manager([] { return 1.0; }, random);
  constexpr int kThreads = 4;
  constexpr int kRounds = 200;
  std::atomic<std::size_t> delivered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string user = t % 2 ? "alice" : "bob";
      for (int i = 0; i < kRounds; ++i) {
        auto bus = manager.bus(user);
        const std::string uuid = "c-" + std::to_string(t) + "-" + std::to_string(i);
        bus->register_client({uuid, "blender", i % 2 == 0, {}, "g", "s-" + std::to_string(t)});
        auto out = bus->send({{"job_id", uuid}}, {.target_uuid = uuid, .from_uuid = uuid});
        delivered += out.deliveries.size();
        bus->job_update({uuid, "completed", "", ""});
        if (i % 3 == 0) bus->unregister_client(uuid);
      }
      manager.on_session_end(user, "s-" + std::to_string(t));
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(delivered.load(), static_cast<std::size_t>(kThreads * kRounds));
  // Left: persistent (even i) clients not unregistered (i % 3 != 0).
  std::size_t expected = 0;
  for (int i = 0; i < kRounds; ++i) expected += (i % 2 == 0 && i % 3 != 0) ? 1 : 0;
  EXPECT_EQ(manager.client_count(), expected * kThreads);
  EXPECT_EQ(manager.bus("alice")->stats().pending_jobs, 0u);
  EXPECT_EQ(manager.bus("bob")->stats().pending_jobs, 0u);
}

}  // namespace
}  // namespace blender_bus::delivery::embedded
