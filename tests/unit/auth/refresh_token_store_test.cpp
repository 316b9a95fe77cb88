#include "auth/sqlite_refresh_token_store.hpp"

#include <gtest/gtest.h>

#include "auth/sha256.hpp"
#include "auth/sqlite_user_store.hpp"
#include "auth/token_service.hpp"
#include "auth_test_support.hpp"
#include "store/store_error.hpp"

namespace blender_bus::auth {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;

class RefreshTokenStoreTest : public ::testing::Test {
 protected:
  RefreshTokenStoreTest() {
    users_.add("alice", "pw", {}, {});
    users_.add("bob", "pw", {}, {});
  }
  std::chrono::system_clock::time_point now() const { return clock_.clock()(); }
  IssuedToken issue(const std::string& user) {
    IssuedToken t = tokens_.issue_refresh(user);
    store_.add(t, user, now());
    return t;
  }

  FakeClock clock_;
  store::Database db_{":memory:"};
  PasswordHasher hasher_{PasswordHashCost::minimum()};
  SqliteUserStore users_{db_, hasher_, clock_.clock()};
  SqliteRefreshTokenStore store_{db_};
  TokenService tokens_{{"secret-secret-secret-secret-secret", "iss"}, clock_.clock()};
};

TEST(Sha256, MatchesTheKnownDigest) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(RefreshTokenStoreTest, AddedTokenIsUsableUntilItExpires) {
  const IssuedToken t = issue("alice");
  EXPECT_TRUE(store_.is_usable(t.jti, t.token, now()));
  EXPECT_FALSE(store_.is_usable(t.jti, t.token + "x", now()));  // jti alone is not enough
  EXPECT_FALSE(store_.is_usable("other", t.token, now()));
  clock_.advance(7 * 24h);
  EXPECT_FALSE(store_.is_usable(t.jti, t.token, now()));
}

TEST_F(RefreshTokenStoreTest, OnlyTheHashIsStored) {
  const IssuedToken t = issue("alice");
  store::Connection c = db_.lock();
  store::Statement q = c.prepare("SELECT jti, token_hash, username FROM refresh_tokens");
  ASSERT_TRUE(q.step());
  EXPECT_EQ(q.column_text(0), t.jti);
  EXPECT_EQ(q.column_text(1), sha256_hex(t.token));
  EXPECT_EQ(q.column_text(2), "alice");
}

TEST_F(RefreshTokenStoreTest, RotationRevokesTheOldTokenAndRecordsTheNew) {
  const IssuedToken old = issue("alice");
  const IssuedToken next = tokens_.issue_refresh("alice");
  EXPECT_TRUE(store_.rotate(old.jti, old.token, "alice", next, now()));
  EXPECT_FALSE(store_.is_usable(old.jti, old.token, now()));
  EXPECT_TRUE(store_.is_usable(next.jti, next.token, now()));
  // The old token works once: a second rotation with it fails and adds nothing.
  const IssuedToken third = tokens_.issue_refresh("alice");
  EXPECT_FALSE(store_.rotate(old.jti, old.token, "alice", third, now()));
  EXPECT_FALSE(store_.is_usable(third.jti, third.token, now()));
}

TEST_F(RefreshTokenStoreTest, RotationNeedsTheRightUserAndAnUnexpiredToken) {
  const IssuedToken t = issue("alice");
  EXPECT_FALSE(store_.rotate(t.jti, t.token, "bob", tokens_.issue_refresh("bob"), now()));
  clock_.advance(8 * 24h);
  EXPECT_FALSE(store_.rotate(t.jti, t.token, "alice", tokens_.issue_refresh("alice"), now()));
}

TEST_F(RefreshTokenStoreTest, RevokeAllRevokesOnlyThatUsersTokens) {
  const IssuedToken a1 = issue("alice");
  const IssuedToken a2 = issue("alice");
  const IssuedToken b = issue("bob");
  EXPECT_EQ(store_.revoke_all_counted("alice", now()), 2);
  EXPECT_FALSE(store_.is_usable(a1.jti, a1.token, now()));
  EXPECT_FALSE(store_.is_usable(a2.jti, a2.token, now()));
  EXPECT_TRUE(store_.is_usable(b.jti, b.token, now()));
  EXPECT_EQ(store_.revoke_all_counted("alice", now()), 0);
}

TEST_F(RefreshTokenStoreTest, ExpiredRowsArePurged) {
  issue("alice");
  clock_.advance(7 * 24h + 1s);
  const IssuedToken fresh = issue("alice");  // adding purges the expired one
  EXPECT_EQ(store_.purge_expired(now()), 0);
  store::Connection c = db_.lock();
  store::Statement q = c.prepare("SELECT count(*) FROM refresh_tokens");
  q.step();
  EXPECT_EQ(q.column_int64(0), 1);
}

TEST_F(RefreshTokenStoreTest, ATokenForAnUnknownUserIsAStoreError) {
  EXPECT_THROW(store_.add(tokens_.issue_refresh("nobody"), "nobody", now()), store::StoreError);
}

}  // namespace
}  // namespace blender_bus::auth
