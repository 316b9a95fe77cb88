// The auth stores in the cluster's KV, against a real nats-server: the
// semantics of auth's ports (as the SQLite stores' tests pin them), and what
// only a cluster has: a second node sees every change, and the first of
// nodes starting together makes the secret.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>

#include "auth/token_service.hpp"
#include "auth_cluster.hpp"
#include "auth_kv/auth_buckets.hpp"
#include "auth_kv/kv_refresh_token_store.hpp"
#include "auth_kv/kv_secret_store.hpp"
#include "auth_kv/kv_user_store.hpp"
#include "auth_test_support.hpp"
#include "cluster/cluster.hpp"
#include "nats_server_test.hpp"

namespace blender_bus::auth_kv {
namespace {

using namespace std::chrono_literals;

class KvAuthStoresTest : public nats::testing::NatsServerTest {
 protected:
  void SetUp() override {
    if (!start_servers(1)) return;
    cluster_ = make_cluster();
    users_ = std::make_unique<KvUserStore>(*cluster_, hasher_, clock_.clock());
    refresh_ = std::make_unique<KvRefreshTokenStore>(*cluster_, *users_);
  }

  std::unique_ptr<cluster::Cluster> make_cluster() const {
    return testing::make_auth_cluster(servers_->urls());
  }

  std::chrono::system_clock::time_point now() const { return clock_.clock()(); }
  auth::IssuedToken issue(const std::string& user) {
    auth::IssuedToken t = tokens_.issue_refresh(user);
    refresh_->add(t, user, now());
    return t;
  }

  auth::testing::FakeClock clock_;
  auth::PasswordHasher hasher_{auth::PasswordHashCost::minimum()};
  auth::TokenService tokens_{auth::TokenConfig{std::string(32, 'k'), "http://test"},
                             clock_.clock()};
  std::unique_ptr<cluster::Cluster> cluster_;
  std::unique_ptr<KvUserStore> users_;
  std::unique_ptr<KvRefreshTokenStore> refresh_;
};

TEST_F(KvAuthStoresTest, AddsFindsAndListsUsersWithTheirGrants) {
  if (!users_) return;
  ASSERT_TRUE(users_->add("bob", "pw-bob", {"user"}, {"read"}));
  ASSERT_TRUE(users_->add("alice", "pw-alice", {"admin", "user"}, {"read", "write"}));
  EXPECT_FALSE(users_->add("alice", "other", {}, {}));
  const auto alice = users_->find("alice");
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->roles, (std::vector<std::string>{"admin", "user"}));
  EXPECT_EQ(alice->scopes, (std::vector<std::string>{"read", "write"}));
  EXPECT_DOUBLE_EQ(alice->created_at, static_cast<double>(clock_.unix()));
  EXPECT_FALSE(users_->find("carol"));
  EXPECT_EQ(users_->count(), 2u);
  const auto all = users_->list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].username, "alice");
  EXPECT_EQ(all[1].username, "bob");
  EXPECT_THROW(users_->add("", "pw", {}, {}), std::invalid_argument);
  EXPECT_THROW(users_->add(std::string(129, 'a'), "pw", {}, {}), std::invalid_argument);
  EXPECT_THROW(users_->add("dave", "", {}, {}), std::invalid_argument);
  EXPECT_EQ(users_->count(), 2u);
}

TEST_F(KvAuthStoresTest, AnyValidNameIsAUserEvenOneTooLongForAKeyToken) {
  if (!users_) return;
  const std::string odd = R"(o'hara "x".y *>)";
  std::string long_name;
  for (int i = 0; i < 64; ++i) long_name += "\xc3\xbc";  // 128 bytes, 384 as a token
  ASSERT_TRUE(users_->add(odd, "pw-odd", {}, {}));
  ASSERT_TRUE(users_->add(long_name, "pw-long", {}, {}));
  EXPECT_TRUE(users_->verify_credentials(odd, "pw-odd"));
  EXPECT_TRUE(users_->verify_credentials(long_name, "pw-long"));
  const auto all = users_->list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].username, odd);
  EXPECT_EQ(all[1].username, long_name);
  ASSERT_TRUE(users_->revoke_access_tokens(long_name));
  ASSERT_TRUE(users_->remove(long_name));
  EXPECT_FALSE(users_->find(long_name));
}

TEST_F(KvAuthStoresTest, VerifiesCredentialsAndAnUnknownUserCostsAVerificationToo) {
  if (!users_) return;
  ASSERT_TRUE(users_->add("alice", "pw-alice", {}, {}));
  EXPECT_TRUE(users_->verify_credentials("alice", "pw-alice"));
  EXPECT_FALSE(users_->verify_credentials("alice", "wrong"));
  const auto before = hasher_.verifications();
  EXPECT_FALSE(users_->verify_credentials("nobody", "pw"));
  EXPECT_EQ(hasher_.verifications(), before + 1);
}

TEST_F(KvAuthStoresTest, ANewPasswordReplacesTheOldAndMovesTheGenerationOn) {
  if (!users_) return;
  ASSERT_TRUE(users_->add("alice", "one-pw", {"user"}, {"read"}));
  const auto generation = users_->find("alice")->token_generation;
  ASSERT_TRUE(users_->set_password("alice", "two-pw"));
  EXPECT_FALSE(users_->verify_credentials("alice", "one-pw"));
  const auto alice = users_->verify_credentials("alice", "two-pw");
  ASSERT_TRUE(alice);
  EXPECT_GT(alice->token_generation, generation);
  EXPECT_EQ(alice->roles, std::vector<std::string>{"user"});  // the grants stay
  EXPECT_FALSE(users_->set_password("nobody", "pw-x"));
}

TEST_F(KvAuthStoresTest, LogoutMovesTheGenerationOn) {
  if (!users_) return;
  ASSERT_TRUE(users_->add("alice", "pw-alice", {}, {}));
  const auto generation = users_->find("alice")->token_generation;
  ASSERT_TRUE(users_->revoke_access_tokens("alice"));
  EXPECT_EQ(users_->find("alice")->token_generation, generation + 1);
  EXPECT_FALSE(users_->revoke_access_tokens("nobody"));
}

TEST_F(KvAuthStoresTest, ANamesakeOfADeletedUserStartsPastTheirGeneration) {
  if (!users_) return;
  ASSERT_TRUE(users_->add("alice", "pw-alice", {}, {}));
  const auto generation = users_->find("alice")->token_generation;
  ASSERT_TRUE(users_->remove("alice"));
  EXPECT_FALSE(users_->find("alice"));
  EXPECT_FALSE(users_->remove("alice"));
  EXPECT_EQ(users_->count(), 0u);
  ASSERT_TRUE(users_->add("alice", "pw-new", {}, {}));
  EXPECT_GT(users_->find("alice")->token_generation, generation);
}

TEST_F(KvAuthStoresTest, ARefreshTokenRotatesOnceAndOnlyForItsUser) {
  if (!users_) return;
  ASSERT_TRUE(users_->add("alice", "pw-alice", {}, {}));
  const auth::IssuedToken token = issue("alice");
  EXPECT_TRUE(refresh_->is_usable(token.jti, token.token, now()));
  EXPECT_FALSE(refresh_->is_usable(token.jti, token.token + "x", now()));
  const auth::IssuedToken next = tokens_.issue_refresh("alice");
  EXPECT_FALSE(refresh_->rotate(token.jti, token.token, "bob", next, now()));
  ASSERT_TRUE(refresh_->rotate(token.jti, token.token, "alice", next, now()));
  EXPECT_FALSE(refresh_->is_usable(token.jti, token.token, now()));
  EXPECT_TRUE(refresh_->is_usable(next.jti, next.token, now()));
  // The old token a second time: refused, and nothing changes.
  const auth::IssuedToken third = tokens_.issue_refresh("alice");
  EXPECT_FALSE(refresh_->rotate(token.jti, token.token, "alice", third, now()));
  EXPECT_FALSE(refresh_->is_usable(third.jti, third.token, now()));
}

TEST_F(KvAuthStoresTest, OfTwoConcurrentRotationsOneWins) {
  if (!users_) return;
  ASSERT_TRUE(users_->add("alice", "pw-alice", {}, {}));
  const auth::IssuedToken token = issue("alice");
  auto other_cluster = make_cluster();
  KvUserStore other_users(*other_cluster, hasher_, clock_.clock());
  KvRefreshTokenStore other(*other_cluster, other_users);
  const auth::IssuedToken a = tokens_.issue_refresh("alice");
  const auth::IssuedToken b = tokens_.issue_refresh("alice");
  auto first = std::async(std::launch::async, [&] {
    return refresh_->rotate(token.jti, token.token, "alice", a, now());
  });
  const bool second = other.rotate(token.jti, token.token, "alice", b, now());
  EXPECT_NE(first.get(), second);
}

TEST_F(KvAuthStoresTest, RevokeAllEndsEveryTokenOfThatUserOnly) {
  if (!users_) return;
  ASSERT_TRUE(users_->add("alice", "pw-alice", {}, {}));
  ASSERT_TRUE(users_->add("bob", "pw-bob", {}, {}));
  const auth::IssuedToken a1 = issue("alice");
  const auth::IssuedToken a2 = issue("alice");
  const auth::IssuedToken b = issue("bob");
  refresh_->revoke_all("alice", now());
  EXPECT_FALSE(refresh_->is_usable(a1.jti, a1.token, now()));
  EXPECT_FALSE(refresh_->is_usable(a2.jti, a2.token, now()));
  EXPECT_TRUE(refresh_->is_usable(b.jti, b.token, now()));
  const auth::IssuedToken a3 = issue("alice");  // issued after: usable
  EXPECT_TRUE(refresh_->is_usable(a3.jti, a3.token, now()));
}

TEST_F(KvAuthStoresTest, ATokenIsUnusableOnceExpiredOrItsUserDeleted) {
  if (!users_) return;
  ASSERT_TRUE(users_->add("alice", "pw-alice", {}, {}));
  ASSERT_TRUE(users_->add("bob", "pw-bob", {}, {}));
  const auth::IssuedToken a = issue("alice");
  const auth::IssuedToken b = issue("bob");
  ASSERT_TRUE(users_->remove("bob"));
  EXPECT_FALSE(refresh_->is_usable(b.jti, b.token, now()));
  ASSERT_TRUE(users_->add("bob", "pw-bob", {}, {}));  // a namesake does not revive it
  EXPECT_FALSE(refresh_->is_usable(b.jti, b.token, now()));
  clock_.advance(std::chrono::hours(24 * 8));
  EXPECT_FALSE(refresh_->is_usable(a.jti, a.token, now()));
}

TEST_F(KvAuthStoresTest, ASecondNodeSeesEveryChangeOfTheFirst) {
  if (!users_) return;
  auto other_cluster = make_cluster();
  KvUserStore other(*other_cluster, hasher_, clock_.clock());
  std::mutex mutex;
  std::condition_variable changed;
  std::multiset<std::string> seen;
  other.on_user_changed([&](const std::optional<std::string>& name) {
    std::lock_guard lock(mutex);
    seen.insert(name.value_or("?"));
    changed.notify_all();
  });
  auto wait_seen = [&](std::size_t n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 10s, [&] { return seen.count("alice") >= n; });
  };
  ASSERT_TRUE(users_->add("alice", "pw-alice", {"user"}, {}));
  ASSERT_TRUE(wait_seen(1));
  EXPECT_TRUE(other.verify_credentials("alice", "pw-alice"));
  ASSERT_TRUE(users_->revoke_access_tokens("alice"));
  ASSERT_TRUE(wait_seen(2));
  EXPECT_EQ(other.find("alice")->token_generation, users_->find("alice")->token_generation);
  ASSERT_TRUE(users_->remove("alice"));
  // A deletion is several changes (the user's key erased, both generations
  // moving on), told in any order: the other node sees it once the erase is
  // among them.
  ASSERT_TRUE(wait_seen(3));
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (other.find("alice") && std::chrono::steady_clock::now() < deadline) {
    std::unique_lock lock(mutex);
    const std::size_t before = seen.count("alice");
    changed.wait_for(lock, 1s, [&] { return seen.count("alice") > before; });
  }
  EXPECT_FALSE(other.find("alice"));
}

TEST_F(KvAuthStoresTest, AUserAddedElsewhereAMomentAgoIsFoundAtTheLeader) {
  if (!users_) return;
  auto other_cluster = make_cluster();
  KvUserStore other(*other_cluster, hasher_, clock_.clock());
  ASSERT_TRUE(other.add("alice", "pw-alice", {}, {}));
  // Whether or not this node's mirror has it yet, the answer is the same.
  EXPECT_TRUE(users_->verify_credentials("alice", "pw-alice"));
}

TEST_F(KvAuthStoresTest, NodesStartingTogetherAgreeOnOneSecret) {
  if (!users_) return;
  auto other_cluster = make_cluster();
  KvSecretStore mine(*cluster_);
  KvSecretStore theirs(*other_cluster);
  auto first = std::async(std::launch::async, [&] { return mine.load_or_create(); });
  const std::string second = theirs.load_or_create();
  const std::string secret = first.get();
  EXPECT_EQ(secret, second);
  EXPECT_EQ(secret.size(), 64u);
  EXPECT_EQ(mine.load_or_create(), secret);  // and it stays
}

}  // namespace
}  // namespace blender_bus::auth_kv
