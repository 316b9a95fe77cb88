#include "auth/personal_tokens.hpp"

#include <gtest/gtest.h>

#include "auth/bearer_authenticator.hpp"
#include "auth/personal_token.hpp"
#include "auth/personal_token_directory.hpp"
#include "auth/sha256.hpp"
#include "auth/sqlite_personal_token_store.hpp"
#include "auth/sqlite_user_store.hpp"
#include "auth/user_directory.hpp"
#include "auth_test_support.hpp"

namespace blender_bus::auth {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;

class PersonalTokensTest : public ::testing::Test {
 protected:
  PersonalTokensTest() {
    users_.add("alice", "alice-pw", {"user"}, {"read", "write"});
    users_.add("root", "root-pw", {"admin", "user"}, {"read", "write", "admin"});
    directory_.on_revoked([this](const std::string& user) { revoked_for_.push_back(user); });
  }

  CreatedPersonalToken create(PersonalTokenRequest request) {
    auto created = tokens_.create(request);
    if (auto* problem = std::get_if<PersonalTokenProblem>(&created)) {
      ADD_FAILURE() << problem->detail;
      return {};
    }
    directory_.sync();
    return std::get<CreatedPersonalToken>(created);
  }
  PersonalTokenProblem refused(PersonalTokenRequest request) {
    auto created = tokens_.create(request);
    EXPECT_TRUE(std::holds_alternative<PersonalTokenProblem>(created));
    if (auto* problem = std::get_if<PersonalTokenProblem>(&created)) return *problem;
    return {};
  }
  std::string judge(const std::string& token) const {
    auto admitted = directory_.admit(token);
    if (auto* refusal = std::get_if<PersonalTokenRefusal>(&admitted)) return refusal->reason;
    const Principal& p = std::get<Principal>(admitted);
    std::string scopes;
    for (const auto& s : p.scopes) scopes += s + " ";
    return "accepted as " + p.user_id + " with " + scopes;
  }

  FakeClock clock_;
  store::Database db_{":memory:"};
  PasswordHasher hasher_{PasswordHashCost::minimum()};
  SqliteUserStore users_{db_, hasher_};
  SqlitePersonalTokenStore store_{db_};
  PersonalTokens tokens_{store_, users_, clock_.clock()};
  PersonalTokenDirectory directory_{store_, users_, clock_.clock()};
  std::vector<std::string> revoked_for_;
};

TEST_F(PersonalTokensTest, ATokenTakesItsUsersScopesAndLivesNinetyDaysByDefault) {
  const CreatedPersonalToken t = create({"alice", "laptop", {}, {}});
  EXPECT_TRUE(is_personal_token(t.token));
  EXPECT_EQ(t.record.scopes, (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ(t.record.created_at, clock_.unix());
  EXPECT_EQ(t.record.expires_at, clock_.unix() + 90 * 86400);
  EXPECT_EQ(judge(t.token), "accepted as alice with read write ");
  auto admitted = directory_.admit(t.token);
  EXPECT_EQ(std::get<Principal>(admitted).credential, Credential::personal_token);
  EXPECT_EQ(std::get<Principal>(admitted).roles, std::vector<std::string>{"user"});
}

TEST_F(PersonalTokensTest, OnlyTheHashIsStored) {
  const CreatedPersonalToken t = create({"alice", "laptop", {}, {}});
  store::Connection c = db_.lock();
  store::Statement q = c.prepare("SELECT token_hash FROM personal_tokens");
  ASSERT_TRUE(q.step());
  EXPECT_EQ(q.column_text(0), sha256_hex(t.token));
  EXPECT_EQ(q.column_text(0).find(t.token.substr(5)), std::string::npos);
}

TEST_F(PersonalTokensTest, ScopesAreTheUsersOwnOrFewerAndMetricsIsForAdmins) {
  EXPECT_EQ(create({"alice", "ro", std::vector<std::string>{"read"}, {}}).record.scopes,
            std::vector<std::string>{"read"});
  EXPECT_EQ(refused({"alice", "x", std::vector<std::string>{"admin"}, {}}).kind,
            PersonalTokenProblem::Kind::invalid);
  EXPECT_EQ(refused({"alice", "x", std::vector<std::string>{"metrics"}, {}}).detail,
            "only an admin may create a token with the 'metrics' scope");
  EXPECT_EQ(refused({"alice", "x", std::vector<std::string>{}, {}}).detail,
            "a token needs at least one scope");
  const auto scraper = create({"root", "scraper", std::vector<std::string>{"metrics"}, {}});
  EXPECT_EQ(judge(scraper.token), "accepted as root with metrics ");
}

TEST_F(PersonalTokensTest, NamesAreUniquePerUserAndChecked) {
  create({"alice", "laptop", {}, {}});
  EXPECT_EQ(refused({"alice", "laptop", {}, {}}).kind, PersonalTokenProblem::Kind::conflict);
  create({"root", "laptop", {}, {}});  // another user's namesake is fine
  EXPECT_EQ(refused({"alice", "a/b", {}, {}}).kind, PersonalTokenProblem::Kind::invalid);
  EXPECT_EQ(refused({"nobody", "laptop", {}, {}}).kind, PersonalTokenProblem::Kind::not_found);
}

TEST_F(PersonalTokensTest, ListShowsEveryTokenOfTheUserWithoutItsSecret) {
  create({"alice", "b", {}, {}});
  create({"alice", "a", {}, TokenLifetime{}});
  create({"root", "c", {}, {}});
  const auto list = tokens_.list("alice");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "a");
  EXPECT_EQ(list[0].expires_at, std::nullopt);
  EXPECT_EQ(list[1].name, "b");
  EXPECT_EQ(list[1].last_used_at, std::nullopt);
}

TEST_F(PersonalTokensTest, ARevokedTokenFailsAtTheNextSyncAndItsUserIsTold) {
  const auto t = create({"alice", "laptop", {}, {}});
  const auto other = create({"alice", "desk", {}, {}});
  EXPECT_EQ(tokens_.revoke("alice", "laptop"), std::nullopt);
  EXPECT_EQ(tokens_.revoke("alice", "laptop")->kind, PersonalTokenProblem::Kind::not_found);
  EXPECT_EQ(tokens_.revoke("root", "desk")->kind, PersonalTokenProblem::Kind::not_found);
  directory_.sync();
  EXPECT_EQ(judge(t.token), "unknown or revoked personal access token");
  EXPECT_EQ(judge(other.token), "accepted as alice with read write ");
  EXPECT_EQ(revoked_for_, std::vector<std::string>{"alice"});
}

TEST_F(PersonalTokensTest, AnExpiredTokenIsRefusedAtOnceAndPurgedAtTheNextSync) {
  const auto t = create({"alice", "short", {}, TokenLifetime{60s}});
  clock_.advance(59s);
  EXPECT_EQ(judge(t.token), "accepted as alice with read write ");
  clock_.advance(1s);
  EXPECT_EQ(judge(t.token), "personal access token expired");
  directory_.sync();
  EXPECT_TRUE(tokens_.list("alice").empty());
  EXPECT_EQ(judge(t.token), "unknown or revoked personal access token");
}

TEST_F(PersonalTokensTest, DeletingAUserDeletesTheirTokens) {
  const auto t = create({"alice", "laptop", {}, {}});
  ASSERT_TRUE(users_.remove("alice"));
  directory_.sync();
  EXPECT_EQ(judge(t.token), "unknown or revoked personal access token");
  users_.add("alice", "new-pw", {"user"}, {"read", "write"});
  directory_.sync();
  EXPECT_TRUE(tokens_.list("alice").empty());
  EXPECT_EQ(judge(t.token), "unknown or revoked personal access token");
}

TEST_F(PersonalTokensTest, AForgedTokenOfTheRightShapeIsUnknown) {
  create({"alice", "laptop", {}, {}});
  EXPECT_EQ(judge(generate_personal_token()), "unknown or revoked personal access token");
  EXPECT_EQ(judge("bmcp_"), "unknown or revoked personal access token");
}

TEST_F(PersonalTokensTest, LastUseIsWrittenByTheFlushAtAMinutesResolution) {
  const auto t = create({"alice", "laptop", {}, {}});
  directory_.flush_uses();
  EXPECT_EQ(tokens_.list("alice")[0].last_used_at, std::nullopt);
  judge(t.token);
  directory_.flush_uses();
  EXPECT_EQ(tokens_.list("alice")[0].last_used_at, clock_.unix());
  const std::int64_t first = clock_.unix();
  clock_.advance(30s);
  judge(t.token);
  directory_.flush_uses();  // within the minute: not written again
  EXPECT_EQ(tokens_.list("alice")[0].last_used_at, first);
  clock_.advance(31s);
  judge(t.token);
  directory_.sync();  // a sync keeps what is not written yet
  directory_.flush_uses();
  EXPECT_EQ(tokens_.list("alice")[0].last_used_at, clock_.unix());
}

TEST_F(PersonalTokensTest, TheBearerAuthenticatorJudgesTheTokenByItsPrefix) {
  TokenService jwt{{"personal-tokens-test-secret-0123456789", "http://127.0.0.1:8000"},
                   clock_.clock()};
  UserDirectory users{users_};
  users.sync();
  BearerAuthenticator bearer{jwt, users, directory_};
  const auto t = create({"alice", "laptop", {}, {}});
  auto ok = bearer.authenticate("Bearer " + t.token);
  ASSERT_TRUE(std::holds_alternative<Principal>(ok));
  EXPECT_EQ(std::get<Principal>(ok).user_id, "alice");
  auto forged = bearer.authenticate("Bearer " + generate_personal_token());
  ASSERT_TRUE(std::holds_alternative<AuthFailure>(forged));
  EXPECT_EQ(std::get<AuthFailure>(forged).detail,
            "Invalid token: unknown or revoked personal access token");
  // A logout (a new token generation) leaves personal tokens working.
  ASSERT_TRUE(users_.revoke_access_tokens("alice"));
  users.sync();
  EXPECT_TRUE(std::holds_alternative<Principal>(bearer.authenticate("Bearer " + t.token)));
}

}  // namespace
}  // namespace blender_bus::auth
