// Personal access tokens in the cluster's KV, against a real nats-server:
// the port's semantics (as the SQLite store's tests pin them), and what only
// a cluster has: a token made on one node works on another, and one revoked
// anywhere is gone everywhere, a last use notwithstanding.
#include "auth_kv/kv_personal_token_store.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "auth/personal_token.hpp"
#include "auth/personal_token_directory.hpp"
#include "auth/sha256.hpp"
#include "auth_cluster.hpp"
#include "auth_kv/auth_buckets.hpp"
#include "auth_kv/kv_user_store.hpp"
#include "auth_test_support.hpp"
#include "cluster/cluster.hpp"
#include "nats_server_test.hpp"

namespace blender_bus::auth_kv {
namespace {

using namespace std::chrono_literals;

class KvPersonalTokenStoreTest : public nats::testing::NatsServerTest {
 protected:
  void SetUp() override {
    if (!start_servers(1)) return;
    cluster_ = make_cluster();
    store_ = std::make_unique<KvPersonalTokenStore>(*cluster_);
  }

  std::unique_ptr<cluster::Cluster> make_cluster() const {
    return testing::make_auth_cluster(servers_->urls());
  }

  static auth::PersonalTokenRecord record(std::string user, std::string name,
                                          std::optional<std::int64_t> expires = std::nullopt) {
    return {std::move(user), std::move(name), {"read", "write"}, 1000, expires, std::nullopt};
  }

  std::unique_ptr<cluster::Cluster> cluster_;
  std::unique_ptr<KvPersonalTokenStore> store_;
};

TEST_F(KvPersonalTokenStoreTest, AddsListsAndRemovesByNameOnePerNamePerUser) {
  if (!store_) return;
  ASSERT_TRUE(store_->add("aa11", record("alice", "ci")));
  EXPECT_FALSE(store_->add("bb22", record("alice", "ci")));  // the name is taken
  ASSERT_TRUE(store_->add("cc33", record("alice", "blender")));
  ASSERT_TRUE(store_->add("dd44", record("bob", "ci")));  // another user's name space
  const auto listed = store_->list("alice");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].name, "blender");
  EXPECT_EQ(listed[1].name, "ci");
  EXPECT_EQ(listed[1].scopes, (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ(store_->grants(2000).size(), 3u);
  EXPECT_TRUE(store_->remove("alice", "ci"));
  EXPECT_FALSE(store_->remove("alice", "ci"));
  EXPECT_TRUE(store_->add("ee55", record("alice", "ci")));  // the name is free again
  EXPECT_EQ(store_->remove_user("alice"), 2);
  EXPECT_TRUE(store_->list("alice").empty());
  EXPECT_EQ(store_->list("bob").size(), 1u);
}

TEST_F(KvPersonalTokenStoreTest, ExpiredTokensAreDeletedByTheSync) {
  if (!store_) return;
  ASSERT_TRUE(store_->add("aa11", record("alice", "short", 1500)));
  ASSERT_TRUE(store_->add("bb22", record("alice", "long", 5000)));
  EXPECT_EQ(store_->grants(1400).size(), 2u);
  const auto left = store_->grants(1500);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].token_hash, "bb22");
  EXPECT_EQ(store_->list("alice").size(), 1u);
}

TEST_F(KvPersonalTokenStoreTest, LastUseIsKeptAndNeverBringsBackARevokedToken) {
  if (!store_) return;
  ASSERT_TRUE(store_->add("aa11", record("alice", "ci")));
  store_->record_use({{"aa11", 1234}});
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline &&
         store_->list("alice").at(0).last_used_at != 1234) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(store_->list("alice").at(0).last_used_at, 1234);
  ASSERT_TRUE(store_->remove("alice", "ci"));
  store_->record_use({{"aa11", 2000}});
  EXPECT_TRUE(store_->list("alice").empty());
  EXPECT_TRUE(store_->grants(3000).empty());
}

TEST_F(KvPersonalTokenStoreTest, ATokenMadeOnOneNodeWorksOnAnotherAndDiesThereWhenRevoked) {
  if (!store_) return;
  auto other_cluster = make_cluster();
  const auth::PasswordHasher hasher(auth::PasswordHashCost::minimum());
  auth::testing::FakeClock clock;
  KvUserStore users(*other_cluster, hasher, clock.clock());
  ASSERT_TRUE(users.add("alice", "pw-alice", {"user"}, {"read", "write"}));
  KvPersonalTokenStore other(*other_cluster);
  auth::PersonalTokenDirectory directory(other, users, clock.clock());
  std::mutex mutex;
  std::condition_variable changed;
  int changes = 0;
  other.on_change([&] {
    std::lock_guard lock(mutex);
    ++changes;
    changed.notify_all();
  });
  auto synced_until = [&](auto admitted) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    for (;;) {
      directory.sync();
      if (admitted() || std::chrono::steady_clock::now() > deadline) return admitted();
      std::unique_lock lock(mutex);
      const int before = changes;
      changed.wait_for(lock, 1s, [&] { return changes > before; });
    }
  };
  const std::string token = auth::generate_personal_token();
  auth::PersonalTokenRecord made = record("alice", "ci");
  made.created_at = clock.unix();
  ASSERT_TRUE(store_->add(auth::sha256_hex(token), made));  // on the first node
  EXPECT_TRUE(synced_until(
      [&] { return std::holds_alternative<auth::Principal>(directory.admit(token)); }));
  ASSERT_TRUE(store_->remove("alice", "ci"));  // revoked on the first node
  EXPECT_TRUE(synced_until(
      [&] { return std::holds_alternative<auth::PersonalTokenRefusal>(directory.admit(token)); }));
  other.on_change(nullptr);
}

}  // namespace
}  // namespace blender_bus::auth_kv
