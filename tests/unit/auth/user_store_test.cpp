#include "auth/sqlite_user_store.hpp"

#include <gtest/gtest.h>

#include "auth/sqlite_refresh_token_store.hpp"
#include "auth/token_service.hpp"
#include "auth_test_support.hpp"

namespace blender_bus::auth {
namespace {

using testing::FakeClock;

constexpr const char* kOdd = R"(x'; DROP TABLE users; --" ;;'")";

class UserStoreTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  store::Database db_{":memory:"};
  PasswordHasher hasher_{PasswordHashCost::minimum()};
  SqliteUserStore users_{db_, hasher_, clock_.clock()};
};

TEST_F(UserStoreTest, AddsAndFindsUsersWithTheirGrants) {
  ASSERT_TRUE(users_.add("alice", "pw-alice", {"user"}, {"read", "write"}));
  const auto alice = users_.find("alice");
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->username, "alice");
  EXPECT_EQ(alice->roles, std::vector<std::string>{"user"});
  EXPECT_EQ(alice->scopes, (std::vector<std::string>{"read", "write"}));
  EXPECT_DOUBLE_EQ(alice->created_at, static_cast<double>(clock_.unix()));
  const Principal p = alice->principal();
  EXPECT_EQ(p.user_id, "alice");
  EXPECT_EQ(p.username, "alice");
  EXPECT_FALSE(users_.find("bob"));
}

TEST_F(UserStoreTest, ATakenNameIsNotAddedTwice) {
  ASSERT_TRUE(users_.add("alice", "one", {}, {}));
  EXPECT_FALSE(users_.add("alice", "two", {}, {}));
  EXPECT_TRUE(users_.verify_credentials("alice", "one"));
  EXPECT_EQ(users_.count(), 1u);
}

TEST_F(UserStoreTest, RefusesBadUsernamesAndPasswords) {
  EXPECT_THROW(users_.add("", "pw", {}, {}), std::invalid_argument);
  EXPECT_THROW(users_.add(std::string(129, 'a'), "pw", {}, {}), std::invalid_argument);
  EXPECT_THROW(users_.add("alice", "", {}, {}), std::invalid_argument);
  EXPECT_THROW(users_.add("alice", std::string(1 << 20, 'p'), {}, {}), std::invalid_argument);
  EXPECT_EQ(users_.count(), 0u);
}

TEST_F(UserStoreTest, QuotesAndSemicolonsAreJustCharacters) {
  ASSERT_TRUE(users_.add(kOdd, "pw", {}, {}));
  ASSERT_TRUE(users_.add("alice", "pw", {}, {}));
  EXPECT_EQ(users_.count(), 2u);  // the table is still there
  ASSERT_TRUE(users_.find(kOdd));
  EXPECT_EQ(users_.find(kOdd)->username, kOdd);
  EXPECT_TRUE(users_.verify_credentials(kOdd, "pw"));
  EXPECT_FALSE(users_.verify_credentials("' OR '1'='1", "pw"));
  EXPECT_FALSE(users_.verify_credentials("alice' --", "pw"));
}

TEST_F(UserStoreTest, ListsByName) {
  users_.add("carol", "pw", {}, {});
  users_.add("alice", "pw", {}, {});
  users_.add("bob", "pw", {}, {});
  std::vector<std::string> names;
  for (const auto& u : users_.list()) names.push_back(u.username);
  EXPECT_EQ(names, (std::vector<std::string>{"alice", "bob", "carol"}));
}

TEST_F(UserStoreTest, VerifiesCredentials) {
  users_.add("alice", "right", {}, {});
  EXPECT_EQ(users_.verify_credentials("alice", "right")->username, "alice");
  EXPECT_FALSE(users_.verify_credentials("alice", "wrong"));
  EXPECT_FALSE(users_.verify_credentials("alice", ""));
  EXPECT_FALSE(users_.verify_credentials("alice", std::string(1 << 20, 'r')));
  EXPECT_FALSE(users_.verify_credentials("nobody", "right"));
}

TEST_F(UserStoreTest, AnUnknownUserCostsOneVerificationLikeAKnownOne) {
  users_.add("alice", "right", {}, {});
  const auto before = hasher_.verifications();
  users_.verify_credentials("alice", "wrong");
  const auto known = hasher_.verifications() - before;
  users_.verify_credentials("nobody", "wrong");
  const auto unknown = hasher_.verifications() - before - known;
  users_.verify_credentials(std::string(200, 'x'), "wrong");  // not even a valid name
  const auto invalid = hasher_.verifications() - before - known - unknown;
  EXPECT_EQ(known, 1u);
  EXPECT_EQ(unknown, 1u);
  EXPECT_EQ(invalid, 1u);
}

TEST_F(UserStoreTest, SetPasswordReplacesTheOldOne) {
  users_.add("alice", "old", {}, {});
  EXPECT_TRUE(users_.set_password("alice", "new"));
  EXPECT_FALSE(users_.verify_credentials("alice", "old"));
  EXPECT_TRUE(users_.verify_credentials("alice", "new"));
  EXPECT_FALSE(users_.set_password("nobody", "new"));
  EXPECT_THROW(users_.set_password("alice", ""), std::invalid_argument);
}

TEST_F(UserStoreTest, RemoveDeletesTheUserAndTheirRefreshTokens) {
  users_.add("alice", "pw", {}, {});
  SqliteRefreshTokenStore refresh(db_);
  TokenService tokens({"secret-secret-secret-secret-secret", "iss"}, clock_.clock());
  const IssuedToken t = tokens.issue_refresh("alice");
  refresh.add(t, "alice", clock_.clock()());
  ASSERT_TRUE(refresh.is_usable(t.jti, t.token, clock_.clock()()));
  EXPECT_TRUE(users_.remove("alice"));
  EXPECT_FALSE(users_.find("alice"));
  EXPECT_FALSE(refresh.is_usable(t.jti, t.token, clock_.clock()()));
  EXPECT_FALSE(users_.remove("alice"));
}

TEST_F(UserStoreTest, PasswordsAreStoredHashed) {
  users_.add("alice", "plain-text-secret", {}, {});
  store::Connection c = db_.lock();
  store::Statement q = c.prepare("SELECT password_hash FROM users");
  ASSERT_TRUE(q.step());
  EXPECT_EQ(q.column_text(0).rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(q.column_text(0).find("plain-text-secret"), std::string::npos);
}

TEST(UserStorePersistence, UsersSurviveAReopen) {
  testing::TempDir dir;
  const PasswordHasher hasher(PasswordHashCost::minimum());
  {
    store::Database db(store::Database::file_in(dir.path()));
    SqliteUserStore(db, hasher).add("alice", "pw", {"user"}, {});
  }
  store::Database db(store::Database::file_in(dir.path()));
  SqliteUserStore users(db, hasher);
  EXPECT_TRUE(users.verify_credentials("alice", "pw"));
}

}  // namespace
}  // namespace blender_bus::auth
