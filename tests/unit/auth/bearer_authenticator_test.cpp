#include "auth/bearer_authenticator.hpp"

#include <gtest/gtest.h>

#include "auth/local_authenticator.hpp"
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
  BearerAuthenticator bearer_{tokens_};
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

}  // namespace
}  // namespace blender_bus::auth
