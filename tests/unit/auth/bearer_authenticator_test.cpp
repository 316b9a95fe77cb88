#include "auth/bearer_authenticator.hpp"
#include "auth/sqlite_user_store.hpp"

#include <gtest/gtest.h>

#include "auth/local_authenticator.hpp"
#include "auth/sqlite_personal_token_store.hpp"
#include "auth/user_directory.hpp"
#include "auth_test_support.hpp"

namespace blender_bus::auth {
namespace {

namespace json = boost::json;
using testing::FakeClock;
using testing::make_jwt;
using testing::Signing;

constexpr const char* kSecret = "bearer-test-secret-bearer-test-secret";
constexpr const char* kIssuer = "http://127.0.0.1:8000";

class BearerAuthenticatorTest : public ::testing::Test {
 protected:
  BearerAuthenticatorTest() {
    users_.add("alice", "alice-pw", {"user"}, {"read"});
    directory_.sync();
  }
  std::string detail(std::string_view header) const {
    auto outcome = bearer_.authenticate(header);
    if (auto* f = std::get_if<AuthFailure>(&outcome)) return f->detail;
    return "accepted as " + std::get<Principal>(outcome).user_id;
  }
  json::object claims() const {
    return {{"sub", "alice"},    {"username", "alice"},  {"token_type", "access"},
            {"iss", kIssuer},    {"iat", clock_.unix()}, {"exp", clock_.unix() + 60},
            {"jti", "jti-alice"}};
  }
  static json::object header(const char* alg) { return {{"alg", alg}, {"typ", "JWT"}}; }

  FakeClock clock_;
  TokenService tokens_{{kSecret, kIssuer}, clock_.clock()};
  store::Database db_{":memory:"};
  PasswordHasher hasher_{PasswordHashCost::minimum()};
  SqliteUserStore users_{db_, hasher_};
  UserDirectory directory_{users_};
  SqlitePersonalTokenStore personal_token_store_{db_};
  PersonalTokenDirectory personal_tokens_{personal_token_store_, users_, clock_.clock()};
  BearerAuthenticator bearer_{tokens_, directory_, personal_tokens_};
};

TEST_F(BearerAuthenticatorTest, AValidTokenNamesItsUser) {
  const Principal alice{"alice", "alice", {"user"}, {"read"}};
  auto outcome = bearer_.authenticate("Bearer " + tokens_.issue_access(alice).token);
  ASSERT_TRUE(std::holds_alternative<Principal>(outcome));
  const Principal& p = std::get<Principal>(outcome);
  EXPECT_EQ(p.user_id, "alice");
  EXPECT_EQ(p.username, "alice");
  EXPECT_EQ(p.roles, std::vector<std::string>{"user"});
  EXPECT_EQ(p.scopes, std::vector<std::string>{"read"});
}

TEST_F(BearerAuthenticatorTest, SchemeIsCaseInsensitiveAndSpacesAreTolerated) {
  const std::string token = tokens_.issue_access({"alice", "alice", {}, {}}).token;
  EXPECT_EQ(detail("bearer " + token), "accepted as alice");
  EXPECT_EQ(detail("BEARER  " + token + " "), "accepted as alice");
}

TEST_F(BearerAuthenticatorTest, MissingOrEmptyTokenIsRequired) {
  for (const char* header : {"", "Bearer", "Bearer ", "Bearer    ", "   ",
                             "Basic YWxpY2U6cHc=", "Token abc", "Bearerabc"}) {
    EXPECT_EQ(detail(header), "Bearer token required") << "'" << header << "'";
  }
}

TEST_F(BearerAuthenticatorTest, GarbageIsAnInvalidToken) {
  EXPECT_EQ(detail("Bearer garbage"), "Invalid token: malformed token");
  EXPECT_EQ(detail("Bearer a.b.c"), "Invalid token: malformed token");
  EXPECT_EQ(detail("Bearer " + std::string(1 << 20, 'x')), "Invalid token: malformed token");
}

TEST_F(BearerAuthenticatorTest, AlgNoneIsRefused) {
  // Built by hand: base64url({"alg":"none","typ":"JWT"}) . claims . (empty)
  const std::string token = testing::base64url(R"({"alg":"none","typ":"JWT"})") + "." +
                            testing::base64url(json::serialize(claims())) + ".";
  EXPECT_EQ(detail("Bearer " + token), "Invalid token: algorithm must be HS256");
}

TEST_F(BearerAuthenticatorTest, Hs512AndRs256AreRefused) {
  EXPECT_EQ(detail("Bearer " + make_jwt(header("HS512"), claims(), kSecret, Signing::hs512)),
            "Invalid token: algorithm must be HS256");
  EXPECT_EQ(detail("Bearer " + make_jwt(header("RS256"), claims(), kSecret, Signing::fake)),
            "Invalid token: algorithm must be HS256");
}

TEST_F(BearerAuthenticatorTest, AWrongSecretIsRefused) {
  EXPECT_EQ(detail("Bearer " + make_jwt(header("HS256"), claims(), "not-the-server-secret-at-all")),
            "Invalid token: signature verification failed");
}

TEST_F(BearerAuthenticatorTest, AnExpiredTokenIsRefused) {
  const std::string token = tokens_.issue_access({"alice", "alice", {}, {}}).token;
  clock_.advance(std::chrono::minutes(31));
  EXPECT_EQ(detail("Bearer " + token), "Invalid token: token has expired");
}

TEST_F(BearerAuthenticatorTest, AWrongIssuerIsRefused) {
  json::object c = claims();
  c["iss"] = "http://elsewhere:8000";
  EXPECT_EQ(detail("Bearer " + make_jwt(header("HS256"), c, kSecret)),
            "Invalid token: wrong issuer");
}

TEST_F(BearerAuthenticatorTest, MissingSubIsReportedAsSuch) {
  json::object c = claims();
  c.erase("sub");
  EXPECT_EQ(detail("Bearer " + make_jwt(header("HS256"), c, kSecret)), "Token missing sub");
}

TEST_F(BearerAuthenticatorTest, ARefreshTokenIsNotAnAccessToken) {
  EXPECT_EQ(detail("Bearer " + tokens_.issue_refresh("alice").token),
            "Invalid token: refresh token used as access token");
}

TEST(LocalAuthenticator, EveryRequestIsTheLocalUser) {
  const LocalAuthenticator local;
  for (const char* header : {"", "Bearer garbage", "Basic x"}) {
    auto outcome = local.authenticate(header);
    ASSERT_TRUE(std::holds_alternative<Principal>(outcome));
    EXPECT_EQ(std::get<Principal>(outcome).user_id, "local");
    EXPECT_EQ(std::get<Principal>(outcome).username, "local");
  }
}

TEST_F(BearerAuthenticatorTest, ATokenOfAnOlderGenerationIsRevoked) {
  const std::string old_token = tokens_.issue_access({"alice", "alice", {}, {}}, 0).token;
  EXPECT_EQ(detail("Bearer " + old_token), "accepted as alice");
  ASSERT_TRUE(users_.revoke_access_tokens("alice"));
  // The store moved on; requests see it once the directory synced (in memory).
  EXPECT_EQ(detail("Bearer " + old_token), "accepted as alice");
  directory_.sync("alice");
  EXPECT_EQ(detail("Bearer " + old_token), "Invalid token: token has been revoked");
  const std::string new_token = tokens_.issue_access({"alice", "alice", {}, {}}, 1).token;
  EXPECT_EQ(detail("Bearer " + new_token), "accepted as alice");
}

TEST_F(BearerAuthenticatorTest, ATokenWithoutGenerationIsOfGenerationZero) {
  json::object c = claims();
  const std::string token = make_jwt(header("HS256"), c, kSecret);
  EXPECT_EQ(detail("Bearer " + token), "accepted as alice");
  users_.revoke_access_tokens("alice");
  directory_.sync();
  EXPECT_EQ(detail("Bearer " + token), "Invalid token: token has been revoked");
}

TEST_F(BearerAuthenticatorTest, ATokenOfADeletedOrUnknownUserIsRevoked) {
  const std::string token = tokens_.issue_access({"alice", "alice", {}, {}}, 0).token;
  const std::string ghost = tokens_.issue_access({"ghost", "ghost", {}, {}}, 0).token;
  EXPECT_EQ(detail("Bearer " + ghost), "Invalid token: token has been revoked");
  ASSERT_TRUE(users_.remove("alice"));
  directory_.sync();
  EXPECT_EQ(detail("Bearer " + token), "Invalid token: token has been revoked");
  // A namesake starts above the deleted user's generation: the old token
  // does not become theirs.
  ASSERT_TRUE(users_.add("alice", "new-pw", {}, {}));
  directory_.sync();
  EXPECT_EQ(detail("Bearer " + token), "Invalid token: token has been revoked");
  EXPECT_EQ(users_.find("alice")->token_generation, 1u);
}

TEST_F(BearerAuthenticatorTest, AGenerationThatIsNoNumberIsMalformed) {
  json::object c = claims();
  c["gen"] = "1";
  EXPECT_EQ(detail("Bearer " + make_jwt(header("HS256"), c, kSecret)),
            "Invalid token: gen must be a non-negative integer");
  c["gen"] = -1;
  EXPECT_EQ(detail("Bearer " + make_jwt(header("HS256"), c, kSecret)),
            "Invalid token: gen must be a non-negative integer");
}

}  // namespace
}  // namespace blender_bus::auth
