// The OAuth authorization server's stores in the cluster's KV, against a
// real nats-server: the ports' semantics (as the SQLite stores' tests and
// authorization_server_test pin them), and what only a cluster has: a code
// or refresh token spent on two nodes at once is spent once and the loser
// revokes the family, a grant revoked on one node is seen revoked on the
// other, and a user deleted (or made again under the same name) holds none
// of the old grants.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <variant>

#include "auth/password_hasher.hpp"
#include "auth_cluster.hpp"
#include "auth_kv/kv_oauth_client_store.hpp"
#include "auth_kv/kv_oauth_grant_store.hpp"
#include "auth_kv/kv_user_store.hpp"
#include "auth_test_support.hpp"
#include "cluster/cluster.hpp"
#include "nats_server_test.hpp"

namespace blender_bus::auth_kv {
namespace {

using namespace std::chrono_literals;
using Store = auth::OAuthGrantStore;

// Polls `condition` until it holds (true) or 10 s passed (false): what
// another node's mirror shows arrives about a round trip after the write.
bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// One node's view: its own connection and mirrors.
struct Node {
  Node(const std::vector<std::string>& urls, const auth::PasswordHasher& hasher, auth::Clock clock)
      : cluster(testing::make_auth_cluster(urls)),
        users(*cluster, hasher, std::move(clock)),
        clients(*cluster),
        grants(*cluster, users, clients) {}

  std::unique_ptr<cluster::Cluster> cluster;
  KvUserStore users;
  KvOAuthClientStore clients;
  KvOAuthGrantStore grants;
};

class KvOAuthStoresTest : public nats::testing::NatsServerTest {
 protected:
  void SetUp() override {
    if (!start_servers(1)) return;
    a_ = std::make_unique<Node>(servers_->urls(), hasher_, clock_.clock());
    b_ = std::make_unique<Node>(servers_->urls(), hasher_, clock_.clock());
    ASSERT_TRUE(a_->users.add("alice", "pw-alice", {"user"}, {"read", "write"}));
    ASSERT_TRUE(a_->clients.add(client("c1")));
  }

  static auth::OAuthClient client(std::string id) {
    return {std::move(id), "Assistant", {"http://127.0.0.1/cb"}, "native", 1000};
  }

  auth::OAuthGrant grant(std::string id, std::string client_id = "c1",
                         std::string user = "alice") const {
    return {std::move(id), std::move(client_id), std::move(user),
            {"read"},      "http://bus/mcp",     clock_.unix()};
  }

  // A grant with code `code_hash` (live for 60 s), made on `node`.
  void consent(Node& node, const std::string& grant_id, const std::string& code_hash) {
    ASSERT_TRUE(node.grants.add_grant(grant(grant_id), code_hash, "http://127.0.0.1/cb",
                                      "challenge", clock_.unix() + 60));
  }

  std::int64_t now() const { return clock_.unix(); }

  auth::testing::FakeClock clock_;
  auth::PasswordHasher hasher_{auth::PasswordHashCost::minimum()};
  std::unique_ptr<Node> a_;
  std::unique_ptr<Node> b_;
};

TEST_F(KvOAuthStoresTest, AClientRegisteredOnOneNodeIsFoundOnTheOtherAtOnceAndIdsAreNotTakenTwice) {
  if (!b_) return;
  EXPECT_FALSE(b_->clients.add(client("c1")));  // taken, though B's mirror may not know yet
  const auto found = b_->clients.find("c1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->client_name, "Assistant");
  EXPECT_EQ(found->redirect_uris, (std::vector<std::string>{"http://127.0.0.1/cb"}));
  EXPECT_EQ(found->application_type, "native");
  EXPECT_EQ(found->created_at, 1000);
  EXPECT_FALSE(b_->clients.find("c2"));
  // A metadata document URL longer than a key token: its copy is replaced.
  const std::string url = "https://app.example/" + std::string(1500, 'x') + "/client.json";
  auth::OAuthClient document = client(url);
  b_->clients.put(document);
  document.client_name = "Renamed";
  a_->clients.put(document);
  const auto copy = a_->clients.find(url);
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->client_id, url);
  EXPECT_EQ(copy->client_name, "Renamed");
  // B's mirror may still hold its own copy: a copy either way.
  ASSERT_TRUE(b_->clients.find(url));
  EXPECT_EQ(b_->clients.find(url)->client_id, url);
}

TEST_F(KvOAuthStoresTest, AGrantNeedsItsUserAndClientAndItsCodeWorksOnceOnAnyNode) {
  if (!b_) return;
  EXPECT_FALSE(a_->grants.add_grant(grant("g0", "nobody"), "h0", "r", "c", now() + 60));
  EXPECT_FALSE(a_->grants.add_grant(grant("g0", "c1", "carol"), "h0", "r", "c", now() + 60));
  EXPECT_TRUE(std::holds_alternative<Store::Unknown>(b_->grants.redeem_code("h0", now())));

  consent(*a_, "g1", "h1");
  auto redeemed = b_->grants.redeem_code("h1", now());  // made on A a moment ago
  ASSERT_TRUE(std::holds_alternative<Store::Redeemed>(redeemed));
  const auth::OAuthCode& code = std::get<Store::Redeemed>(redeemed).code;
  EXPECT_EQ(code.grant.grant_id, "g1");
  EXPECT_EQ(code.grant.username, "alice");
  EXPECT_EQ(code.grant.scopes, (std::vector<std::string>{"read"}));
  EXPECT_EQ(code.redirect_uri, "http://127.0.0.1/cb");
  EXPECT_EQ(code.code_challenge, "challenge");

  // Presented again on A: a reuse, which revokes the grant everywhere.
  auto again = a_->grants.redeem_code("h1", now());
  ASSERT_TRUE(std::holds_alternative<Store::Reused>(again));
  EXPECT_EQ(std::get<Store::Reused>(again).username, "alice");
  EXPECT_EQ(a_->grants.revoked_since(now() - 1),
            (std::vector<std::pair<std::string, std::string>>{{"g1", "alice"}}));
  EXPECT_FALSE(b_->grants.revoke_grant("g1", now()));  // revoked already

  // An expired code is Unknown and stays unused.
  consent(*a_, "g2", "h2");
  clock_.advance(61s);
  EXPECT_TRUE(std::holds_alternative<Store::Unknown>(b_->grants.redeem_code("h2", now())));
}

TEST_F(KvOAuthStoresTest, TwoNodesRedeemingOneCodeAtOnceRedeemItOnceAndTheOtherRevokesTheGrant) {
  if (!b_) return;
  for (int round = 0; round < 5; ++round) {
    const std::string id = "g" + std::to_string(round);
    const std::string hash = "h" + std::to_string(round);
    consent(*a_, id, hash);
    auto on_a = std::async(std::launch::async, [&] { return a_->grants.redeem_code(hash, now()); });
    auto on_b = std::async(std::launch::async, [&] { return b_->grants.redeem_code(hash, now()); });
    const auto x = on_a.get();
    const auto y = on_b.get();
    const int redeemed =
        std::holds_alternative<Store::Redeemed>(x) + std::holds_alternative<Store::Redeemed>(y);
    const int reused =
        std::holds_alternative<Store::Reused>(x) + std::holds_alternative<Store::Reused>(y);
    EXPECT_EQ(redeemed, 1) << "round " << round;
    EXPECT_EQ(reused, 1) << "round " << round;
    EXPECT_FALSE(a_->grants.revoke_grant(id, now())) << "the loser revoked the grant";
  }
}

TEST_F(KvOAuthStoresTest, RefreshRotatesOnceAcrossNodesAndAReuseRevokesTheFamilyEverywhere) {
  if (!b_) return;
  consent(*a_, "g1", "h1");
  ASSERT_TRUE(std::holds_alternative<Store::Redeemed>(a_->grants.redeem_code("h1", now())));
  a_->grants.add_refresh("g1", "r1", now() + 3600);
  // Another client's presentation is Unknown and changes nothing.
  EXPECT_TRUE(std::holds_alternative<Store::Unknown>(
      b_->grants.rotate_refresh("r1", "other-client", "rx", now() + 3600, now())));
  auto rotated = b_->grants.rotate_refresh("r1", "c1", "r2", now() + 3600, now());
  ASSERT_TRUE(std::holds_alternative<Store::Rotated>(rotated));
  EXPECT_EQ(std::get<Store::Rotated>(rotated).grant.grant_id, "g1");
  ASSERT_EQ(b_->grants.consented_clients("alice", now()).size(), 1u);

  // Two nodes rotating the current token at once: one wins, the other is a reuse.
  auto on_a = std::async(std::launch::async, [&] {
    return a_->grants.rotate_refresh("r2", "c1", "r3a", now() + 3600, now());
  });
  auto on_b = std::async(std::launch::async, [&] {
    return b_->grants.rotate_refresh("r2", "c1", "r3b", now() + 3600, now());
  });
  const auto x = on_a.get();
  const auto y = on_b.get();
  EXPECT_EQ(std::holds_alternative<Store::Rotated>(x) + std::holds_alternative<Store::Rotated>(y) +
                std::holds_alternative<Store::Unknown>(x) +
                std::holds_alternative<Store::Unknown>(y),
            1)
      << "one rotation (or, when the reuse's revocation landed first, none)";
  EXPECT_EQ(std::holds_alternative<Store::Reused>(x) + std::holds_alternative<Store::Reused>(y), 1);
  // The family is gone: its retired and current tokens alike.
  for (const char* token : {"r1", "r2", "r3a", "r3b"}) {
    EXPECT_TRUE(std::holds_alternative<Store::Unknown>(
        a_->grants.rotate_refresh(token, "c1", "r4", now() + 3600, now())))
        << token;
  }
  // Whichever node revoked it, both mirrors come to list it no more.
  for (Node* node : {a_.get(), b_.get()}) {
    EXPECT_TRUE(eventually([&] { return node->grants.consented_clients("alice", now()).empty(); }));
  }
}

TEST_F(KvOAuthStoresTest, AGrantRevokedOnOneNodeReachesTheOthersListenerAndList) {
  if (!b_) return;
  std::mutex mutex;
  std::condition_variable changed;
  int changes = 0;
  b_->grants.on_change([&] {
    {
      std::lock_guard lock(mutex);
      ++changes;
    }
    changed.notify_all();
  });
  consent(*a_, "g1", "h1");
  ASSERT_TRUE(std::holds_alternative<Store::Redeemed>(a_->grants.redeem_code("h1", now())));
  a_->grants.add_refresh("g1", "r1", now() + 3600);
  EXPECT_FALSE(a_->grants.revoke_by_refresh("r1", "other-client", now()));
  EXPECT_EQ(a_->grants.revoke_by_refresh("r1", "c1", now()), "alice");
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(
        changed.wait_for(lock, 10s, [&] { return !b_->grants.revoked_since(now() - 1).empty(); }));
  }
  EXPECT_EQ(b_->grants.revoked_since(now() - 1),
            (std::vector<std::pair<std::string, std::string>>{{"g1", "alice"}}));
  EXPECT_TRUE(b_->grants.revoked_since(now()).empty());  // revoked at now, not after
  b_->grants.on_change(nullptr);
}

TEST_F(KvOAuthStoresTest, ConsentedClientsAndRevokeClientCountLiveGrantsOnly) {
  if (!b_) return;
  ASSERT_TRUE(a_->users.add("bob", "pw-bob", {"user"}, {"read"}));
  consent(*a_, "g1", "h1");  // an unused code: live
  consent(*a_, "g2", "h2");
  ASSERT_TRUE(std::holds_alternative<Store::Redeemed>(a_->grants.redeem_code("h2", now())));
  a_->grants.add_refresh("g2", "r2", now() + 3600);
  ASSERT_TRUE(a_->grants.add_grant(grant("g3", "c1", "bob"), "h3", "r", "c", now() + 60));
  const auto listed = a_->grants.consented_clients("alice", now());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].client_id, "c1");
  EXPECT_EQ(listed[0].client_name, "Assistant");
  EXPECT_EQ(listed[0].grants, 2u);
  EXPECT_EQ(listed[0].since, now());
  EXPECT_EQ(a_->grants.revoke_client("alice", "c1", now()), 2);
  // B's mirror may not have heard yet: the revocation itself reads the leader.
  EXPECT_EQ(b_->grants.revoke_client("alice", "c1", now()), 0);
  EXPECT_TRUE(a_->grants.consented_clients("alice", now()).empty());
  EXPECT_EQ(a_->grants.consented_clients("bob", now()).size(), 1u);
}

TEST_F(KvOAuthStoresTest, ADeletedUserOrANamesakeHoldsNoneOfTheOldGrants) {
  if (!b_) return;
  consent(*a_, "g1", "h1");
  consent(*a_, "g2", "h2");
  ASSERT_TRUE(std::holds_alternative<Store::Redeemed>(a_->grants.redeem_code("h2", now())));
  a_->grants.add_refresh("g2", "r2", now() + 3600);
  ASSERT_TRUE(a_->users.remove("alice"));
  clock_.advance(1s);
  ASSERT_TRUE(a_->users.add("alice", "pw-new", {"user"}, {"read"}));
  EXPECT_TRUE(std::holds_alternative<Store::Unknown>(a_->grants.redeem_code("h1", now())));
  EXPECT_TRUE(std::holds_alternative<Store::Unknown>(
      a_->grants.rotate_refresh("r2", "c1", "r3", now() + 3600, now())));
  EXPECT_TRUE(a_->grants.consented_clients("alice", now()).empty());
}

TEST_F(KvOAuthStoresTest, PurgeDeletesExpiredCodesAndTokensAndForgetsOldRevokedGrants) {
  if (!b_) return;
  consent(*a_, "g1", "h1");  // its code expires unused
  consent(*a_, "g2", "h2");
  ASSERT_TRUE(std::holds_alternative<Store::Redeemed>(a_->grants.redeem_code("h2", now())));
  a_->grants.add_refresh("g2", "r2", now() + 3600);
  ASSERT_TRUE(a_->grants.revoke_grant("g2", now()));
  clock_.advance(120s);
  a_->grants.purge(now(), now() - 60);
  EXPECT_TRUE(std::holds_alternative<Store::Unknown>(a_->grants.redeem_code("h1", now())));
  EXPECT_TRUE(a_->grants.revoked_since(0).empty()) << "g2 revoked longer ago than access lives";
  EXPECT_FALSE(a_->grants.revoke_grant("g2", now()));
  // g1, left with no code, is deleted only once older than kUnusedGrantAge.
  EXPECT_TRUE(a_->grants.revoke_grant("g1", now()));
}

}  // namespace
}  // namespace blender_bus::auth_kv
