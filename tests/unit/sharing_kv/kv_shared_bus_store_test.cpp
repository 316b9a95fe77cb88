// The shared buses' store in the cluster's KV, against a real nats-server:
// two nodes (two connections, two mirrors, two BusMemberships), as a
// cluster runs them. What one node changes the other reads back from its
// mirror; the rules that two nodes could race on (one-use invitations, the
// last owner, a client uuid's owner) are decided by conditional writes.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "cluster/cluster.hpp"
#include "nats/kv_mirror.hpp"
#include "nats_server_test.hpp"
#include "sharing/bus_memberships.hpp"
#include "sharing_kv/kv_shared_bus_store.hpp"
#include "sharing_kv/sharing_bucket.hpp"

namespace blender_bus::sharing_kv {
namespace {

using namespace std::chrono_literals;
using sharing::BusMemberships;
using sharing::BusRole;
using sharing::BusView;
using sharing::InvitationView;

struct Node {
  std::unique_ptr<cluster::Cluster> cluster;
  std::unique_ptr<KvSharedBusStore> store;
  std::unique_ptr<BusMemberships> memberships;
  std::atomic<int> changes{0};
};

class KvSharedBusStoreTest : public nats::testing::NatsServerTest {
 protected:
  void SetUp() override {
    if (!start_servers(1)) return;
    start(a_, 0);
    start(b_, 128);
  }

  void start(Node& node, unsigned seed) {
    cluster::ClusterOptions o;
    o.servers = servers_->urls();
    o.connect_wait = 5s;
    o.buckets = {sharing_bucket()};
    node.cluster = std::make_unique<cluster::Cluster>(o);
    node.store = std::make_unique<KvSharedBusStore>(*node.cluster);
    node.store->on_changed([&node] { ++node.changes; });
    auto counter = std::make_shared<unsigned>(seed);
    node.memberships = std::make_unique<BusMemberships>(
        node.store.get(), [this] { return now_; },
        [counter](std::span<unsigned char> out) {
          for (auto& b : out) b = static_cast<unsigned char>((*counter)++);
        },
        std::chrono::seconds(100));
  }

  bool ready() const { return a_.memberships && b_.memberships; }

  // Waits until `to`'s mirror has applied every write `from` made (bounded
  // by 5 s), then reloads `to` from it.
  static std::vector<sharing::LeftBus> catch_up(const Node& from, Node& to) {
    const std::uint64_t written = from.store->revision();
    for (int i = 0; i < 500 && to.store->revision() < written; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    EXPECT_GE(to.store->revision(), written);
    return to.memberships->reload();
  }

  std::string invite(Node& node, const std::string& bus, const std::string& user, BusRole role) {
    auto invited = node.memberships->invite(bus, "olivia", user, role);
    EXPECT_TRUE(std::holds_alternative<InvitationView>(invited));
    return std::get<InvitationView>(invited).code;
  }

  static std::string error_of(const auto& answer) {
    return std::holds_alternative<std::string>(answer) ? std::get<std::string>(answer) : "";
  }

  double now_ = 1000;
  Node a_;
  Node b_;
};

TEST_F(KvSharedBusStoreTest, WhatOneNodeChangesTheOtherReadsBackFromItsMirror) {
  if (!ready()) return;
  const BusView bus = a_.memberships->create("olivia", "farm");
  const std::string code = invite(a_, bus.bus_id, "mia", BusRole::member);
  // The other node hears of them (its mirror, its listener), and reload()
  // reads them there.
  EXPECT_EQ(b_.memberships->role_of(bus.bus_id, "olivia"), std::nullopt);
  catch_up(a_, b_);
  for (int i = 0; i < 500 && b_.changes.load() < 3; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_GE(b_.changes.load(), 3);  // the bus, its owner, the invitation
  EXPECT_EQ(b_.memberships->role_of(bus.bus_id, "olivia"), BusRole::owner);
  // The invitation made on A is accepted on B.
  auto joined = b_.memberships->join("mia", code);
  ASSERT_TRUE(std::holds_alternative<BusView>(joined)) << error_of(joined);
  EXPECT_EQ(std::get<BusView>(joined).role, BusRole::member);
  ASSERT_TRUE(b_.memberships->claim_client(bus.bus_id, "render-1", "mia"));
  catch_up(b_, a_);
  EXPECT_EQ(a_.memberships->role_of(bus.bus_id, "mia"), BusRole::member);
  EXPECT_EQ(a_.memberships->client_owner(bus.bus_id, "render-1"), "mia");
  ASSERT_EQ(a_.memberships->buses_of("mia").size(), 1u);
  EXPECT_EQ(a_.memberships->buses_of("mia")[0].name, "farm");
}

TEST_F(KvSharedBusStoreTest, ARemovalOnOneNodeHandsTheOtherTheMembersClients) {
  if (!ready()) return;
  const BusView bus = a_.memberships->create("olivia", "farm");
  const std::string code = invite(a_, bus.bus_id, "mia", BusRole::member);
  catch_up(a_, b_);
  ASSERT_TRUE(std::holds_alternative<BusView>(b_.memberships->join("mia", code)));
  ASSERT_TRUE(b_.memberships->claim_client(bus.bus_id, "render-1", "mia"));
  ASSERT_TRUE(b_.memberships->claim_client(bus.bus_id, "render-2", "mia"));
  catch_up(b_, a_);
  auto removed = a_.memberships->remove_member(bus.bus_id, "mia");
  ASSERT_TRUE((std::holds_alternative<std::vector<std::string>>(removed))) << error_of(removed);
  EXPECT_EQ(std::get<std::vector<std::string>>(removed),
            (std::vector<std::string>{"render-1", "render-2"}));
  // Node B's mirror shows the removal: its reload answers the clients to take off.
  const std::vector<sharing::LeftBus> left = catch_up(a_, b_);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].bus_id, bus.bus_id);
  auto uuids = left[0].client_uuids;
  std::sort(uuids.begin(), uuids.end());
  EXPECT_EQ(uuids, (std::vector<std::string>{"render-1", "render-2"}));
  EXPECT_EQ(b_.memberships->role_of(bus.bus_id, "mia"), std::nullopt);
  EXPECT_EQ(b_.memberships->client_owner(bus.bus_id, "render-1"), std::nullopt);
}

TEST_F(KvSharedBusStoreTest, AnInvitationIsUsedOnceEvenByTwoNodesAtOnce) {
  if (!ready()) return;
  const BusView bus = a_.memberships->create("olivia", "farm");
  const std::string code = invite(a_, bus.bus_id, "mia", BusRole::member);
  catch_up(a_, b_);
  // Both nodes' memory holds the invitation unused: the store decides.
  auto on_a = a_.memberships->join("mia", code);
  auto on_b = b_.memberships->join("mia", code);
  EXPECT_TRUE(std::holds_alternative<BusView>(on_a)) << error_of(on_a);
  EXPECT_EQ(error_of(on_b), "invitation already used");
}

// Invitations leave the bucket a day after they expired, when the next one
// is made (the bucket grows only then): read back by a fresh mirror, as a
// node starting later would.
TEST_F(KvSharedBusStoreTest, AnInvitationExpiredADayAgoLeavesTheBucketWhenTheNextIsMade) {
  if (!ready()) return;
  const auto stored = [this] {
    nats::KvMirror mirror(a_.cluster->connection(), kSharingBucket);
    EXPECT_TRUE(mirror.wait_loaded_for(10s));
    const auto entries = mirror.entries();
    return std::count_if(entries.begin(), entries.end(),
                         [](const nats::KvEntry& e) { return e.key.starts_with("invite."); });
  };
  const BusView bus = a_.memberships->create("olivia", "farm");
  const std::string early = invite(a_, bus.bus_id, "gus", BusRole::guest);  // expires at 1100
  now_ = 1100 + 86400 - 1;
  invite(a_, bus.bus_id, "mia", BusRole::member);
  EXPECT_EQ(stored(), 2);
  now_ = 1100 + 86400;
  catch_up(a_, b_);
  invite(b_, bus.bus_id, "oscar", BusRole::member);
  EXPECT_EQ(stored(), 2);
  catch_up(b_, a_);
  EXPECT_EQ(error_of(a_.memberships->join("gus", early)), "invitation not found");
}

TEST_F(KvSharedBusStoreTest, TwoOwnersLeavingOnTwoNodesLeaveOneOwner) {
  if (!ready()) return;
  const BusView bus = a_.memberships->create("olivia", "farm");
  const std::string code = invite(a_, bus.bus_id, "oscar", BusRole::member);
  ASSERT_TRUE(std::holds_alternative<BusView>(a_.memberships->join("oscar", code)));
  auto promoted = a_.memberships->set_role(bus.bus_id, "oscar", BusRole::owner);
  ASSERT_TRUE(std::holds_alternative<sharing::MemberView>(promoted)) << error_of(promoted);
  catch_up(a_, b_);
  // Each node's memory sees two owners; only one may go.
  auto olivia = a_.memberships->leave(bus.bus_id, "olivia");
  auto oscar = b_.memberships->leave(bus.bus_id, "oscar");
  EXPECT_TRUE((std::holds_alternative<std::vector<std::string>>(olivia))) << error_of(olivia);
  EXPECT_EQ(error_of(oscar), "the last owner cannot leave until ownership is passed on");
  catch_up(a_, b_);
  EXPECT_EQ(b_.memberships->role_of(bus.bus_id, "oscar"), BusRole::owner);
  EXPECT_EQ(b_.memberships->role_of(bus.bus_id, "olivia"), std::nullopt);
  // Stepping down is refused the same way.
  auto demoted = b_.memberships->set_role(bus.bus_id, "oscar", BusRole::member);
  EXPECT_EQ(error_of(demoted), "the last owner cannot leave until ownership is passed on");
}

TEST_F(KvSharedBusStoreTest, AClientUuidHasOneOwnerAcrossNodes) {
  if (!ready()) return;
  const BusView bus = a_.memberships->create("olivia", "farm");
  const std::string code = invite(a_, bus.bus_id, "mia", BusRole::member);
  ASSERT_TRUE(std::holds_alternative<BusView>(a_.memberships->join("mia", code)));
  catch_up(a_, b_);
  ASSERT_TRUE(a_.memberships->claim_client(bus.bus_id, "render-1", "olivia"));
  // Node B has not reloaded since: its memory has no owner for the uuid.
  EXPECT_FALSE(b_.memberships->claim_client(bus.bus_id, "render-1", "mia"));
  EXPECT_TRUE(b_.memberships->claim_client(bus.bus_id, "render-1", "olivia"));
  a_.memberships->release_client(bus.bus_id, "render-1");
  catch_up(a_, b_);
  EXPECT_TRUE(b_.memberships->claim_client(bus.bus_id, "render-1", "mia"));
}

TEST_F(KvSharedBusStoreTest, ADeletedLastOwnerArchivesTheBusEverywhere) {
  if (!ready()) return;
  const BusView bus = a_.memberships->create("olivia", "farm");
  const auto left = a_.memberships->remove_user("olivia");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_TRUE(left[0].archived);
  catch_up(a_, b_);
  EXPECT_EQ(b_.memberships->role_of(bus.bus_id, "olivia"), std::nullopt);
  EXPECT_TRUE(b_.memberships->buses_of("olivia").empty());
}

}  // namespace
}  // namespace blender_bus::sharing_kv
